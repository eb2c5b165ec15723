// One behaviour suite for every manager this host can run: the v1 manager
// on the hybrid hierarchy and the v2 manager on the unified mount. Each
// must place, list, freeze, signal, measure, re-open and remove a group
// the same way; backend-specific checks live in the other files.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "helpers.hpp"
#include "support/root.hpp"

namespace berth::cgroups::testing {
namespace {

using namespace std::chrono_literals;

struct Backend {
  const char* name;
  const char* mount_root;
  Layout layout;
};

const Backend kBackends[] = {{"hybrid_v1", "/sys/fs/cgroup", Layout::Hybrid},
                             {"v2_unified", "/sys/fs/cgroup/unified", Layout::V2}};

class Conformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    BERTH_REQUIRE_ROOT();
    if (::access((std::string(GetParam().mount_root) + "/cgroup.procs").c_str(), F_OK) != 0 &&
        GetParam().layout == Layout::V2)
      GTEST_SKIP() << "no cgroup2 mount at " << GetParam().mount_root;
  }
  ManagerOptions options(const std::string& tag) {
    ManagerOptions o;
    o.mount_root = GetParam().mount_root;
    o.cgroups_path = "/" + unique_name(std::string(GetParam().name) + "-" + tag);
    return o;
  }
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds budget = 2000ms) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

GatedChild sleeper() {
  return GatedChild([] {
    ::pause();
    return 0;
  });
}

TEST_P(Conformance, PlacesAndListsProcesses) {
  TestGroup group(options("place"));
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->layout(), GetParam().layout);
  for (const auto& [c, p] : group->paths()) EXPECT_TRUE(dir_exists(p)) << p;
  auto a = sleeper();
  auto b = sleeper();
  ASSERT_TRUE(group->add_process(a.pid()));
  ASSERT_TRUE(group->add_process(b.pid()));
  auto pids = group->pids();
  ASSERT_TRUE(pids);
  std::sort(pids->begin(), pids->end());
  std::vector<pid_t> want = {a.pid(), b.pid()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*pids, want);
  a.release();
  b.release();
}

TEST_P(Conformance, FreezesAndThaws) {
  TestGroup group(options("freeze"));
  ASSERT_TRUE(group.ok());
  auto* value = static_cast<std::atomic<uint64_t>*>(::mmap(nullptr, sizeof(std::atomic<uint64_t>),
                                                           PROT_READ | PROT_WRITE,
                                                           MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(value, MAP_FAILED);
  new (value) std::atomic<uint64_t>(0);
  GatedChild spinner([value] {
    while (true) value->fetch_add(1, std::memory_order_relaxed);
    return 0;
  });
  ASSERT_TRUE(group->add_process(spinner.pid()));
  spinner.release();
  ASSERT_TRUE(eventually([&] { return value->load() > 0; }));
  EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
  ASSERT_TRUE(group->freeze(FreezerState::Frozen));
  EXPECT_EQ(*group->freezer_state(), FreezerState::Frozen);
  uint64_t at = value->load();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(value->load(), at);
  ASSERT_TRUE(group->freeze(FreezerState::Thawed));
  EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
  EXPECT_TRUE(eventually([&] { return value->load() > at; }));
  ::munmap(value, sizeof(std::atomic<uint64_t>));
}

TEST_P(Conformance, SignalsReachEveryProcess) {
  for (int sig : {SIGTERM, SIGKILL}) {
    TestGroup group(options("sig"));
    ASSERT_TRUE(group.ok());
    GatedChild parent([] {
      for (int i = 0; i < 5; ++i) {
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
    ASSERT_TRUE(eventually([&] { return group->pids()->size() == 6; }));
    ASSERT_TRUE(group->signal_all(sig));
    auto status = parent.owned().wait();
    ASSERT_TRUE(status);
    EXPECT_EQ(status->signal, sig);
    EXPECT_TRUE(eventually([&] { return group->pids()->empty(); }));
    EXPECT_EQ(*group->freezer_state(), FreezerState::Thawed);
  }
}

TEST_P(Conformance, MeasuresCpuAndReopensFromSavedPaths) {
  TestGroup group(options("stats"));
  ASSERT_TRUE(group.ok());
  GatedChild burner([] {
    burn_cpu(30ms);
    return 0;
  });
  ASSERT_TRUE(group->add_process(burner.pid()));
  burner.release();
  ASSERT_TRUE(burner.owned().wait());
  auto loaded = load_manager(group->paths());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ((*loaded)->paths(), group->paths());
  EXPECT_EQ((*loaded)->layout(), GetParam().layout);
  auto s = (*loaded)->stats();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_GE(s->cpu.total_ns, 20'000'000u);
  EXPECT_EQ(s->pids.current, 0u);
}

TEST_P(Conformance, DestroyRefusesABusyGroupAndRemovesAnIdleOne) {
  TestGroup group(options("destroy"));
  ASSERT_TRUE(group.ok());
  auto paths = group->paths();
  auto child = sleeper();
  ASSERT_TRUE(group->add_process(child.pid()));
  auto busy = group->destroy();
  ASSERT_FALSE(busy);
  EXPECT_TRUE(busy.error().is(ErrorCategory::Conflict)) << busy.error().to_string();
  ASSERT_TRUE(group->signal_all(SIGKILL));
  ASSERT_TRUE(child.owned().wait());
  auto removed = group->destroy();
  ASSERT_TRUE(removed) << removed.error().to_string();
  for (const auto& [c, p] : paths) EXPECT_FALSE(dir_exists(p)) << p;
  EXPECT_TRUE(group->destroy()) << "destroying twice is fine";
}

INSTANTIATE_TEST_SUITE_P(Managers, Conformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace berth::cgroups::testing
