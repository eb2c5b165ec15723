// Escape classes through the rootfs that the image (or another container
// sharing it) controls: a mount target swapped for a symlink to a host
// path while create runs (CVE-2021-30465), and /dev/console or /dev/null
// planted as symlinks to /proc files in an image that brings its own /dev
// (the 2025 /dev/console and masked-path classes). Each test was seen to
// fail against a build that mounts by path (see docs/RUNTIME.md).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "fixture.hpp"
#include "sys/process.hpp"

namespace berth::runtime::testing {
namespace {

class Escape : public ContainerTest {
 protected:
  // The config without its /dev tmpfs: the image's /dev is used as it is.
  static void use_image_dev(oci::Spec& spec) {
    std::erase_if(spec.mounts, [](const oci::Mount& m) { return m.destination == "/dev"; });
  }
};

// A racer flips <rootfs>/race/t between a directory and a symlink to a
// host directory (RENAME_EXCHANGE, as fast as it can) while containers
// with a tmpfs on /race/t are created. A createContainer hook runs in the
// container's mount namespace before pivot_root, where a mount that
// followed the symlink would show on the host path.
TEST_F(Escape, MountTargetSwappedForASymlinkDuringCreateStaysInside) {
  std::string victim = base_ + "/victim";
  ASSERT_TRUE(make_dirs(victim));
  std::string race = bundle_ + "/rootfs/race";
  ASSERT_TRUE(make_dirs(race + "/t"));
  ASSERT_EQ(::symlink(victim.c_str(), (race + "/s").c_str()), 0);
  std::atomic<bool> stop{false};
  std::atomic<long> swaps{0};
  // The racer never allocates: create() forks while it runs, and a child
  // forked while this thread held the sanitizer allocator's lock would
  // block on it forever (seen under ASan in CI).
  const std::string dir_path = race + "/t";
  const std::string link_path = race + "/s";
  const char* dir_name = dir_path.c_str();
  const char* link_name = link_path.c_str();
  std::thread racer([&stop, &swaps, dir_name, link_name] {
    while (!stop)
      if (::renameat2(AT_FDCWD, dir_name, AT_FDCWD, link_name, RENAME_EXCHANGE) == 0) ++swaps;
  });
  auto spec = spec_for("true");
  spec.mounts.push_back({"/race/t", "tmpfs", "tmpfs", {}, {}, {}});
  spec.hooks = oci::Hooks{};
  spec.hooks->create_container.push_back(
      {"/bin/sh", {"sh", "-c", "grep -c ' " + victim + " ' /proc/self/mountinfo >> " + outdir_ + "/hits; true"}, {}, {}});
  write_config(spec);
  int created_ok = 0;
  for (int i = 0; i < 30; ++i) {
    std::string id = "race" + std::to_string(i);
    CreateOptions options;
    options.id = id;
    options.bundle = bundle_;
    auto created = create(ctx_, options);
    if (!created) continue;  // refusing is fine, mounting outside is not
    ++created_ok;
    (void)remove(ctx_, id, true);
  }
  stop = true;
  racer.join();
  EXPECT_GT(swaps.load(), 1000);
  EXPECT_GT(created_ok, 0);
  std::string hits = read_file(outdir_ + "/hits").value_or("");
  EXPECT_EQ(hits.find_first_not_of("0\n"), std::string::npos) << "mounted on the host path: " << hits;
  EXPECT_EQ(sh("grep -c ' " + victim + " ' /proc/self/mountinfo"), "0");
}

UniqueFd listen_at(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd.get(), 1), 0);
  return fd;
}

// The image ships /dev/console -> /proc/sys/kernel/core_pattern. Bound by
// path, the terminal would land on that host kernel knob inside the
// container; berth-runtime replaces the link.
TEST_F(Escape, DevConsoleSymlinkInTheImageIsReplaced) {
  std::string dev = bundle_ + "/rootfs/dev";
  ASSERT_TRUE(make_dirs(dev));
  ::unlink((dev + "/console").c_str());
  ASSERT_EQ(::symlink("/proc/sys/kernel/core_pattern", (dev + "/console").c_str()), 0);
  std::string sock = base_ + "/console.sock";
  auto listener = listen_at(sock);
  auto spec = spec_for("[ -f /proc/sys/kernel/core_pattern ] && echo file > /out/knob;"
                       "grep -c core_pattern /proc/self/mountinfo > /out/knob-mounts;"
                       "[ -c /dev/console ] && [ ! -L /dev/console ] && echo pty > /out/console; exit 0");
  spec.process->terminal = true;
  use_image_dev(spec);
  write_config(spec);
  CreateOptions options{"con", bundle_, "", sock, false, false, 0, true};
  auto created = create(ctx_, options);
  ASSERT_TRUE(created) << created.error().to_string();
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn);
  auto master = sys::recv_fd(conn.get(), nullptr);
  ASSERT_TRUE(master);
  ASSERT_TRUE(start(ctx_, "con"));
  auto exited = created->init.wait();
  ASSERT_TRUE(exited);
  EXPECT_EQ(out("knob"), "file");
  EXPECT_EQ(out("knob-mounts"), "0");
  EXPECT_EQ(out("console"), "pty");
  ASSERT_TRUE(remove(ctx_, "con", false));
}

// The image ships /dev/null -> /proc/sys/kernel/core_pattern in a user
// namespace container (devices are binds there, and the masks are binds
// of /dev/null): the masks must still be the null device, never the
// host's core_pattern made visible under a masked path.
TEST_F(Escape, DevNullSymlinkInTheImageDoesNotBecomeTheMask) {
  std::string dev = bundle_ + "/rootfs/dev";
  ASSERT_TRUE(make_dirs(dev));
  ::unlink((dev + "/null").c_str());
  ASSERT_EQ(::symlink("/proc/sys/kernel/core_pattern", (dev + "/null").c_str()), 0);
  auto spec = spec_for("cat /proc/timer_list | wc -c > /out/masked; [ -c /dev/null ] && echo null > /out/null; exit 0");
  use_image_dev(spec);
  spec.linux->namespaces.push_back({"user", ""});
  spec.linux->uid_mappings = {{0, 0, 65536}};
  spec.linux->gid_mappings = {{0, 0, 65536}};
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("masked"), "0");  // /proc/timer_list masked by the null device
  EXPECT_EQ(out("null"), "null");
}

}  // namespace
}  // namespace berth::runtime::testing
