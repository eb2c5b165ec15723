// The v2 manager on a real cgroup2 mount. This host is hybrid: the v2
// hierarchy at /sys/fs/cgroup/unified has no controllers, so limits cannot
// be tested here (the unit tests cover their translation), but everything
// that is core v2 can: mkdir, cgroup.procs, CLONE_INTO_CGROUP,
// cgroup.freeze + cgroup.events, cgroup.kill, the BPF device program, and
// cpu.stat.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <thread>

#include "base/file.hpp"
#include "helpers.hpp"
#include "runtime/cgroups/bpf_devices.hpp"
#include "support/root.hpp"

namespace berth::cgroups::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kUnified = "/sys/fs/cgroup/unified";

ManagerOptions v2_options(const std::string& tag) {
  ManagerOptions o;
  o.mount_root = kUnified;
  o.cgroups_path = "/" + unique_name(tag);
  return o;
}

bool have_unified() { return ::access((std::string(kUnified) + "/cgroup.procs").c_str(), F_OK) == 0; }

#define REQUIRE_UNIFIED()                                                 \
  do {                                                                    \
    BERTH_REQUIRE_ROOT();                                                 \
    if (!have_unified()) GTEST_SKIP() << "no cgroup2 mount at " << kUnified; \
  } while (0)

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds budget = 2000ms) {
  auto deadline = Clock::now() + budget;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

TEST(V2Unified, CloneIntoCgroupPlacesTheChildAtBirth) {
  REQUIRE_UNIFIED();
  auto options = v2_options("clone");
  TestGroup group(options);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->layout(), Layout::V2);
  auto fd = group->open_for_clone();
  ASSERT_TRUE(fd && fd->has_value());
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>((*fd)->get());
  std::string want = "0::" + options.cgroups_path + "\n";
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  ASSERT_GE(pid, 0) << "clone3: " << std::strerror(errno);
  if (pid == 0) {
    auto text = read_file("/proc/self/cgroup");
    ::_exit(text && text->find(want) != std::string::npos ? 0 : 1);
  }
  auto child = OwnedPid::adopt(static_cast<pid_t>(pid));
  ASSERT_TRUE(child);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0) << "child did not start in " << options.cgroups_path;
}

TEST(V2Unified, FreezeStopsAndThaws) {
  REQUIRE_UNIFIED();
  TestGroup group(v2_options("frz"));
  ASSERT_TRUE(group.ok());
  auto* value = static_cast<std::atomic<uint64_t>*>(::mmap(
      nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  new (value) std::atomic<uint64_t>(0);
  GatedChild spinner([value] {
    while (true) value->fetch_add(1, std::memory_order_relaxed);
    return 0;
  });
  ASSERT_TRUE(group->add_process(spinner.pid()));
  spinner.release();
  ASSERT_TRUE(eventually([&] { return value->load() > 1000; }));
  auto t0 = Clock::now();
  auto r = group->freeze(FreezerState::Frozen);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*group->freezer_state(), FreezerState::Frozen);
  uint64_t at = value->load();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(value->load(), at);
  ASSERT_TRUE(group->freeze(FreezerState::Thawed));
  EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
  EXPECT_TRUE(eventually([&] { return value->load() > at; }));
  std::cout << "[ measure  ] v2 freeze (cgroup.freeze + events poll): " << took.count() << " us\n";
  ::munmap(value, sizeof(std::atomic<uint64_t>));
}

TEST(V2Unified, KillAndTermReachEveryProcess) {
  REQUIRE_UNIFIED();
  for (int sig : {SIGKILL, SIGTERM}) {
    TestGroup group(v2_options("kill"));
    ASSERT_TRUE(group.ok());
    GatedChild parent([] {
      for (int i = 0; i < 20; ++i) {
        if (::fork() == 0) {
          ::pause();
          ::_exit(0);
        }
      }
      ::pause();
      return 0;
    });
    ASSERT_TRUE(group->add_process(parent.pid()));
    parent.release();
    ASSERT_TRUE(eventually([&] { return group->pids()->size() == 21; }));
    auto t0 = Clock::now();
    auto r = group->signal_all(sig);
    ASSERT_TRUE(r) << r.error().to_string();
    auto signalled = Clock::now();
    ASSERT_TRUE(parent.owned().wait());
    auto d = group->destroy();  // waits on cgroup.events for the rest
    ASSERT_TRUE(d) << d.error().to_string();
    auto done = Clock::now();
    auto us = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
    EXPECT_LT(done - t0, 500ms);
    std::cout << "[ measure  ] v2 signal " << sig << " to 21 tasks: " << us(signalled - t0)
              << " us; until destroyed: " << us(done - t0) << " us\n";
  }
}

int try_devices() {
  int bits = 0;
  int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd >= 0) bits |= 1, ::close(fd);
  fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) bits |= 2, ::close(fd);
  else if (errno == EPERM) bits |= 4;
  return bits;
}

int run_in(Manager& group) {
  GatedChild child(try_devices);
  if (!group.add_process(child.pid())) return -1;
  child.release();
  auto status = child.owned().wait();
  return status ? status->code : -1;
}

TEST(V2Unified, DeviceProgramRefusesAndUpdatesInPlace) {
  REQUIRE_UNIFIED();
  TestGroup group(v2_options("dev"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.devices = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rw"}};
  auto applied = group->apply(r);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_EQ(run_in(*group), 1 | 4) << "null allowed, zero refused";

  r.devices.push_back({true, 'c', 1, 5, "r"});
  ASSERT_TRUE(group->apply(r));
  EXPECT_EQ(run_in(*group), 1 | 2) << "zero allowed after update";
  auto dir = open_file(group->paths().at(""), O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir);
  auto ids = attached_device_programs(dir->get());
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->size(), 1u) << "the old program must be detached";
}

TEST(V2Unified, StatsFromCoreFiles) {
  REQUIRE_UNIFIED();
  TestGroup group(v2_options("stats"));
  ASSERT_TRUE(group.ok());
  GatedChild burner([] {
    // CPU time, not wall time: the host is shared.
    burn_cpu(60ms);
    return 0;
  });
  ASSERT_TRUE(group->add_process(burner.pid()));
  burner.release();
  ASSERT_TRUE(burner.owned().wait());
  auto s = group->stats();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_GE(s->cpu.total_ns, 40'000'000u);
  EXPECT_GE(s->cpu.user_ns, 30'000'000u);
}

}  // namespace
}  // namespace berth::cgroups::testing
