// SCMP_ACT_NOTIFY: the agent at linux.seccomp.listenerPath receives the
// listener fd with the container's state, and its answers are what the
// container's syscalls return. The agent is a forked child (not a thread:
// the runtime clones without fork's malloc-lock care).
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "fixture.hpp"
#include "sys/process.hpp"

namespace berth::runtime::testing {
namespace {

class SeccompNotify : public ContainerTest {
 protected:
  // Listens on `path`; the child takes one listener fd, writes the JSON it
  // came with to `payload_file`, and answers every notification ENOSPC
  // until the container's side closes.
  pid_t start_agent(const std::string& path, const std::string& payload_file) {
    int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(sock, 1), 0);
    pid_t pid = ::fork();
    if (pid != 0) {
      ::close(sock);
      return pid;
    }
    int conn = ::accept4(sock, nullptr, nullptr, SOCK_CLOEXEC);
    std::string payload;
    auto listener = sys::recv_fd(conn, &payload);
    if (!listener) ::_exit(2);
    (void)write_file_atomic(payload_file, payload);
    for (;;) {
      seccomp_notif req{};
      if (::ioctl(listener->get(), SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) ::_exit(0);
      seccomp_notif_resp resp{};
      resp.id = req.id;
      resp.error = -ENOSPC;
      (void)::ioctl(listener->get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
  }
};

TEST_F(SeccompNotify, AgentGetsTheListenerAndAnswersTheSyscalls) {
  std::string socket_path = base_ + "/agent.sock";
  std::string payload_file = base_ + "/payload.json";
  pid_t agent = start_agent(socket_path, payload_file);
  ASSERT_GT(agent, 0);
  auto spec = spec_for("mkdir /tmp/notified 2> /out/err; echo $? > /out/rc");
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.architectures = {"SCMP_ARCH_X86_64"};
  seccomp.listener_path = socket_path;
  seccomp.listener_metadata = "berth-test";
  seccomp.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}};
  spec.linux->seccomp = seccomp;
  EXPECT_EQ(run_spec(spec), 0);
  ::kill(agent, SIGKILL);
  ::waitpid(agent, nullptr, 0);
  EXPECT_EQ(out("rc"), "1");
  EXPECT_NE(out("err").find("No space left"), std::string::npos) << out("err");
  auto payload = read_file(payload_file);
  ASSERT_TRUE(payload) << "the agent got no listener";
  EXPECT_NE(payload->find("\"fds\":[\"seccompFd\"]"), std::string::npos) << *payload;
  EXPECT_NE(payload->find("\"metadata\":\"berth-test\""), std::string::npos) << *payload;
  EXPECT_NE(payload->find("\"id\":\"c1\""), std::string::npos) << *payload;
}

TEST_F(SeccompNotify, WithNoNewPrivilegesTheListenerStillArrives) {
  std::string socket_path = base_ + "/agent.sock";
  std::string payload_file = base_ + "/payload.json";
  pid_t agent = start_agent(socket_path, payload_file);
  ASSERT_GT(agent, 0);
  auto spec = spec_for("mkdir /tmp/notified 2> /out/err; echo $? > /out/rc");
  spec.process->no_new_privileges = true;
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.listener_path = socket_path;
  seccomp.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}};
  spec.linux->seccomp = seccomp;
  EXPECT_EQ(run_spec(spec), 0);
  ::kill(agent, SIGKILL);
  ::waitpid(agent, nullptr, 0);
  EXPECT_EQ(out("rc"), "1");
  EXPECT_NE(out("err").find("No space left"), std::string::npos) << out("err");
}

class Seccomp : public ContainerTest {};

TEST_F(Seccomp, ConditionsOnOneArgumentAreAlternatives) {
  // kill(pid, SIGUSR1) or kill(pid, SIGUSR2) fail; kill(pid, 0) does not.
  auto spec = spec_for("kill -USR1 $$ 2>/dev/null; echo $? > /out/usr1; kill -USR2 $$ 2>/dev/null; "
                       "echo $? > /out/usr2; kill -0 $$; echo $? > /out/zero");
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.syscalls = {{{"kill"}, "SCMP_ACT_ERRNO", std::nullopt,
                       {{1, SIGUSR1, 0, "SCMP_CMP_EQ"}, {1, SIGUSR2, 0, "SCMP_CMP_EQ"}}}};
  spec.linux->seccomp = seccomp;
  EXPECT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("usr1"), "1");
  EXPECT_EQ(out("usr2"), "1");
  EXPECT_EQ(out("zero"), "0");
}

TEST_F(Seccomp, NotifyOnWriteIsRefused) {
  auto spec = spec_for("true");
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.listener_path = base_ + "/agent.sock";
  seccomp.syscalls = {{{"write"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}};
  spec.linux->seccomp = seccomp;
  write_config(spec);
  auto code = run(ctx_, {"c1", bundle_, "", "", false, false, 0, false}, RunOptions{});
  ASSERT_FALSE(code);
  EXPECT_NE(code.error().to_string().find("SCMP_ACT_NOTIFY cannot be used for the write syscall"), std::string::npos)
      << code.error().to_string();
}

}  // namespace
}  // namespace berth::runtime::testing
