// terminal: true with --console-socket: the PTY master arrives over the
// socket by SCM_RIGHTS (as runc sends it), and it is a working terminal:
// what the container writes comes out of it, what we type goes in, and
// the container sees a tty on its stdio and /dev/console.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "fixture.hpp"
#include "sys/process.hpp"

namespace berth::runtime::testing {
namespace {

class Console : public ContainerTest {};

UniqueFd listen_at(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd.get(), 1), 0);
  return fd;
}

std::string read_until(int fd, const std::string& needle, int timeout_ms = 5000) {
  std::string got;
  while (got.find(needle) == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST_F(Console, SocketReceivesAWorkingPty) {
  std::string sock = base_ + "/console.sock";
  auto listener = listen_at(sock);
  auto spec = spec_for("tty > /out/tty; [ -c /dev/console ] && echo yes > /out/console;"
                       "echo ready; read line; echo \"got:$line\"; exit 4");
  spec.process->terminal = true;
  write_config(spec);
  CreateOptions options{"tty", bundle_, "", sock, false, false, 0, true};
  auto created = create(ctx_, options);
  ASSERT_TRUE(created) << created.error().to_string();
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn);
  std::string name;
  auto master = sys::recv_fd(conn.get(), &name);
  ASSERT_TRUE(master) << master.error().to_string();
  ASSERT_TRUE(start(ctx_, "tty"));
  EXPECT_NE(read_until(master->get(), "ready").find("ready"), std::string::npos);
  ASSERT_EQ(::write(master->get(), "hello\n", 6), 6);
  EXPECT_NE(read_until(master->get(), "got:hello").find("got:hello"), std::string::npos);
  auto exited = created->init.wait();
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->code, 4);
  EXPECT_TRUE(out("tty").starts_with("/dev/pts/")) << out("tty");
  EXPECT_EQ(out("console"), "yes");
  ASSERT_TRUE(remove(ctx_, "tty", false));
}

}  // namespace
}  // namespace berth::runtime::testing
