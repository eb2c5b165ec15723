// Resources -> v1 files on a fixture hybrid host; the ordered write log is
// compared with golden files.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups::testing {
namespace {

class V1Apply : public ::testing::Test {
 protected:
  void SetUp() override {
    t.make_hybrid();
    t.add_v1_group("/berth");
    t.add_v1_group("/berth/c1");
    ManagerOptions o;
    o.mount_root = t.root();
    o.proc_self = t.proc_self();
    o.cgroups_path = "/berth/c1";
    auto m = make_manager(o);
    ASSERT_TRUE(m) << m.error().to_string();
    manager = std::move(*m);
  }
  FixtureTree t;
  std::unique_ptr<Manager> manager;
};

Resources full_resources() {
  Resources r;
  r.memory.emplace();
  r.memory->limit = 256 << 20;
  r.memory->reservation = 128 << 20;
  r.memory->swap = 512 << 20;
  r.memory->swappiness = 10;
  r.memory->disable_oom_killer = true;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 1000;
  r.cpu->realtime_period = 1000000;
  r.cpu->realtime_runtime = 950;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->idle = 0;
  r.pids_limit = 100;
  r.block_io.emplace();
  r.block_io->weight = 500;
  r.block_io->weight_devices = {{8, 0, 300, std::nullopt}};
  r.block_io->throttle_read_bps = {{8, 0, 1048576}, {8, 16, 2097152}};
  r.block_io->throttle_write_iops = {{8, 0, 100}};
  r.devices = {{false, 'a', -1, -1, "rwm"},
               {true, 'c', 1, 3, "rwm"},
               {true, 'c', 136, -1, "rwm"},
               {true, 'a', 5, 1, "rw"},
               {false, 'c', 1, 3, "m"}};
  return r;
}

TEST_F(V1Apply, CreateCopiesCpusetFromParent) {
  t.record();
  auto r = manager->create();
  ASSERT_TRUE(r) << r.error().to_string();
  expect_golden("v1_create.txt", t.recorded());
  EXPECT_EQ(t.read("cpuset/berth/c1/cpuset.cpus"), "0-3");
}

TEST_F(V1Apply, EveryResourceInKernelOrder) {
  t.record();
  auto r = manager->apply(full_resources());
  ASSERT_TRUE(r) << r.error().to_string();
  expect_golden("v1_apply_full.txt", t.recorded());
}

TEST_F(V1Apply, ShrinkingMemoryWritesLimitBeforeSwap) {
  t.write("memory/berth/c1/memory.limit_in_bytes", "1073741824\n");
  Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.memory->swap = 128 << 20;
  t.record();
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(t.recorded(),
            "/memory/berth/c1/memory.limit_in_bytes = 67108864\n"
            "/memory/berth/c1/memory.memsw.limit_in_bytes = 134217728\n");
}

TEST_F(V1Apply, UnlimitedMemoryAlsoLiftsSwap) {
  Resources r;
  r.memory.emplace();
  r.memory->limit = -1;
  t.record();
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(t.recorded(),
            "/memory/berth/c1/memory.memsw.limit_in_bytes = -1\n"
            "/memory/berth/c1/memory.limit_in_bytes = -1\n");
}

TEST_F(V1Apply, UnsetFieldsWriteNothing) {
  Resources r;
  r.memory.emplace();
  r.cpu.emplace();
  r.block_io.emplace();
  t.record();
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(t.recorded(), "");
}

TEST_F(V1Apply, RefusesWhatV1CannotDo) {
  Resources unified;
  unified.unified["memory.high"] = "1G";
  auto r = manager->apply(unified);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::InvalidArgument));

  Resources swappy;
  swappy.memory.emplace();
  swappy.memory->swappiness = 101;
  EXPECT_FALSE(manager->apply(swappy));

  Resources huge;
  huge.hugepage_limits = {{"2MB", 1 << 21}};
  auto h = manager->apply(huge);
  ASSERT_FALSE(h);  // hugetlb is not mounted on this fixture host
  EXPECT_TRUE(h.error().is(ErrorCategory::Unavailable)) << h.error().to_string();

  Resources bad_dev;
  bad_dev.devices = {{true, 'x', 1, 1, "rwm"}};
  EXPECT_FALSE(manager->apply(bad_dev));
  bad_dev.devices = {{true, 'c', 1, 1, "rwq"}};
  EXPECT_FALSE(manager->apply(bad_dev));
}

TEST_F(V1Apply, FreezerStateAndPids) {
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Thawed);
  t.write("freezer/berth/c1/freezer.state", "FREEZING\n");
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Freezing);
  // The fixture keeps FROZEN once written, like a kernel that froze at once.
  ASSERT_TRUE(manager->freeze(FreezerState::Frozen));
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Frozen);
  ASSERT_TRUE(manager->freeze(FreezerState::Thawed));
  EXPECT_EQ(t.read("freezer/berth/c1/freezer.state"), "THAWED");

  t.write("freezer/berth/c1/cgroup.procs", "12\n34\n");
  t.add_group("freezer/berth/c1/sub", {{"cgroup.procs", "56\n"}});
  auto pids = manager->pids();
  ASSERT_TRUE(pids);
  EXPECT_EQ(*pids, (std::vector<pid_t>{12, 34, 56}));
}

TEST_F(V1Apply, AddProcessJoinsEveryHierarchy) {
  t.record();
  ASSERT_TRUE(manager->add_process(4242));
  expect_golden("v1_add_process.txt", t.recorded());
}

}  // namespace
}  // namespace berth::cgroups::testing
