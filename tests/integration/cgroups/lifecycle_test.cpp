// Group lifecycle on this host's v1 (hybrid) hierarchy: create in every
// hierarchy, placement for relative and absolute paths, freezer, signal
// delivery to every process, stats, destroy.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "helpers.hpp"
#include "runtime/cgroups/mounts.hpp"
#include "support/root.hpp"

namespace berth::cgroups::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A counter a child bumps in a tight loop, visible to the parent.
struct SharedCounter {
  SharedCounter() {
    void* p = ::mmap(nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    value = new (p) std::atomic<uint64_t>(0);
  }
  ~SharedCounter() { ::munmap(value, sizeof(std::atomic<uint64_t>)); }
  std::atomic<uint64_t>* value;
};

// Polls `pred` for up to `budget` (tests only; product code never sleeps).
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds budget = 2000ms) {
  auto deadline = Clock::now() + budget;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

TEST(CgroupLifecycle, CreatesEveryHierarchyAndDestroyRemovesAll) {
  BERTH_REQUIRE_ROOT();
  std::map<std::string, std::string> paths;
  {
    ManagerOptions o;
    o.cgroups_path = "/" + unique_name("abs");
    TestGroup group(o);
    ASSERT_TRUE(group.ok());
    EXPECT_EQ(group->layout(), Layout::Hybrid);
    paths = group->paths();
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
                          "pids", "name=systemd", ""}) {
      ASSERT_TRUE(paths.count(c)) << c;
      EXPECT_TRUE(dir_exists(paths[c])) << paths[c];
    }
    EXPECT_EQ(paths["memory"], "/sys/fs/cgroup/memory" + o.cgroups_path);
    EXPECT_EQ(paths[""], "/sys/fs/cgroup/unified" + o.cgroups_path);
    EXPECT_EQ(paths["name=systemd"], "/sys/fs/cgroup/systemd" + o.cgroups_path);
    // cpuset was usable at once: cpus and mems copied from the parent.
    EXPECT_FALSE(std::string(trim(*read_file(paths["cpuset"] + "/cpuset.cpus"))).empty());
    EXPECT_FALSE(std::string(trim(*read_file(paths["cpuset"] + "/cpuset.mems"))).empty());
    GatedChild child([] { return 0; });
    ASSERT_TRUE(group->add_process(child.pid()));
    child.release();
    ASSERT_TRUE(child.owned().wait());
    auto destroyed = group->destroy();
    ASSERT_TRUE(destroyed) << destroyed.error().to_string();
    for (const auto& [c, p] : paths) EXPECT_FALSE(dir_exists(p)) << p;
  }
}

TEST(CgroupLifecycle, RelativePathIsBelowOwnCgroupPerController) {
  BERTH_REQUIRE_ROOT();
  auto own = parse_proc_cgroup(*read_file("/proc/self/cgroup"));
  auto options = relative_options("rel");
  TestGroup group(options);
  ASSERT_TRUE(group.ok());
  GatedChild child([] {
    ::pause();
    return 0;
  });
  ASSERT_TRUE(group->add_process(child.pid()));
  auto theirs = parse_proc_cgroup(*read_file("/proc/" + std::to_string(child.pid()) + "/cgroup"));
  for (const auto& [key, path] : own) {
    std::string want = (path == "/" ? "" : path) + "/" + options.cgroups_path;
    EXPECT_EQ(theirs[key], want) << "hierarchy " << key;
  }
  child.release();
}

TEST(CgroupLifecycle, FreezerStopsAndResumes) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("frz"));
  ASSERT_TRUE(group.ok());
  SharedCounter counter;
  auto* value = counter.value;
  GatedChild spinner([value] {
    while (true) value->fetch_add(1, std::memory_order_relaxed);
    return 0;
  });
  ASSERT_TRUE(group->add_process(spinner.pid()));
  spinner.release();
  ASSERT_TRUE(eventually([&] { return value->load() > 1000; }));

  auto t0 = Clock::now();
  ASSERT_TRUE(group->freeze(FreezerState::Frozen));
  auto freeze_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  EXPECT_EQ(*group->freezer_state(), FreezerState::Frozen);
  EXPECT_EQ(process_state(spinner.pid()), 'D');  // v1 frozen tasks sit in the refrigerator
  uint64_t frozen_at = value->load();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(value->load(), frozen_at) << "made progress while frozen";

  ASSERT_TRUE(group->freeze(FreezerState::Thawed));
  EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
  EXPECT_TRUE(eventually([&] { return value->load() > frozen_at; }));
  std::cout << "[ measure  ] v1 freeze of a spinning task: " << freeze_us.count() << " us\n";
}

TEST(CgroupLifecycle, SignalAllKillsEveryProcessQuickly) {
  BERTH_REQUIRE_ROOT();
  for (int sig : {SIGKILL, SIGTERM}) {
    TestGroup group(relative_options("kill"));
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
    auto signal_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    ASSERT_TRUE(r) << r.error().to_string();
    auto status = parent.owned().wait();
    ASSERT_TRUE(status);
    EXPECT_EQ(status->signal, sig);
    EXPECT_TRUE(eventually([&] { return group->pids()->empty(); }, 1000ms));
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    EXPECT_LT(took, 500ms);
    auto d0 = Clock::now();
    ASSERT_TRUE(group->destroy());
    auto destroy_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - d0);
    std::cout << "[ measure  ] signal " << sig << " to 21 tasks: signal_all " << signal_us.count()
              << " us, until empty: " << took.count()
              << " us; destroy: " << destroy_us.count() << " us\n";
  }
}

TEST(CgroupLifecycle, KillReachesAPausedGroup) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("pkill"));
  ASSERT_TRUE(group.ok());
  GatedChild sleeper([] {
    ::pause();
    return 0;
  });
  ASSERT_TRUE(group->add_process(sleeper.pid()));
  sleeper.release();
  ASSERT_TRUE(group->freeze(FreezerState::Frozen));
  ASSERT_TRUE(group->signal_all(SIGKILL));
  auto status = sleeper.owned().wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
}

TEST(CgroupLifecycle, StatsReadBackSensibleNumbers) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("stats"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.memory.emplace();
  r.memory->limit = 256 << 20;
  r.pids_limit = 64;
  ASSERT_TRUE(group->apply(r));
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  int ready = pipe->write.get();
  GatedChild worker([ready] {
    char* block = static_cast<char*>(::malloc(32 << 20));
    for (size_t i = 0; i < (32u << 20); i += 4096) block[i] = 1;
    // CPU time, not wall time: the host is shared.
    burn_cpu(100ms);
    char c = 'r';
    if (::write(ready, &c, 1) != 1) return 1;
    ::pause();
    return static_cast<int>(block[0]);
  });
  pipe->write.reset();
  ASSERT_TRUE(group->add_process(worker.pid()));
  worker.release();
  char c;
  ASSERT_EQ(::read(pipe->read.get(), &c, 1), 1);
  auto s = group->stats();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_GE(s->memory.usage, 32u << 20);
  EXPECT_LT(s->memory.usage, 256u << 20);
  EXPECT_EQ(s->memory.limit, 256u << 20);
  EXPECT_GE(s->memory.raw.count("rss") + s->memory.raw.count("total_rss"), 1u);
  EXPECT_GE(s->cpu.total_ns, 50'000'000u);
  EXPECT_LT(s->cpu.total_ns, 5'000'000'000u);
  EXPECT_EQ(s->cpu.percpu_ns.size(), static_cast<size_t>(::sysconf(_SC_NPROCESSORS_CONF)));
  EXPECT_GE(s->cpu.user_ns + s->cpu.system_ns, 40'000'000u);
  EXPECT_EQ(s->pids.current, 1u);
  EXPECT_EQ(s->pids.limit, 64u);
}

TEST(CgroupLifecycle, DestroyRefusesWhileProcessesRun) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("busy"));
  ASSERT_TRUE(group.ok());
  GatedChild sleeper([] {
    ::pause();
    return 0;
  });
  ASSERT_TRUE(group->add_process(sleeper.pid()));
  sleeper.release();
  auto r = group->destroy();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::Conflict)) << r.error().to_string();
  for (const auto& [c, p] : group->paths()) EXPECT_TRUE(dir_exists(p)) << p;
}

TEST(CgroupLifecycle, LoadManagerReopensSavedPaths) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("load"));
  ASSERT_TRUE(group.ok());
  auto loaded = load_manager(group->paths());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ((*loaded)->paths(), group->paths());
  Resources r;
  r.pids_limit = 7;
  ASSERT_TRUE((*loaded)->apply(r));
  EXPECT_EQ(group->stats()->pids.limit, 7u);
}

}  // namespace
}  // namespace berth::cgroups::testing
