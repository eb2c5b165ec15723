// Resources -> v2 files on a fixture v2 host, and the conversions that
// make a spec mean the same on v1 and v2.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "runtime/cgroups/cgroup.hpp"
#include "runtime/cgroups/v2_manager.hpp"

namespace berth::cgroups::testing {
namespace {

class V2Apply : public ::testing::Test {
 protected:
  void SetUp() override {
    t.make_v2("/user.slice/session-1.scope");
    t.add_group("user.slice", {{"cgroup.controllers", "cpuset cpu io memory hugetlb pids"},
                               {"cgroup.subtree_control", ""},
                               {"cgroup.procs", ""}});
    t.add_v2_group("user.slice/c1");
    ManagerOptions o;
    o.mount_root = t.root();
    o.proc_self = t.proc_self();
    o.cgroups_path = "c1";
    auto m = make_manager(o);
    ASSERT_TRUE(m) << m.error().to_string();
    manager = std::move(*m);
  }
  FixtureTree t;
  std::unique_ptr<Manager> manager;
};

TEST_F(V2Apply, CreateEnablesControllersInEveryAncestor) {
  t.record();
  ASSERT_TRUE(manager->create());
  expect_golden("v2_create.txt", t.recorded());
}

TEST_F(V2Apply, EveryResourceMapsToItsFile) {
  Resources r;
  r.memory.emplace();
  r.memory->limit = 256 << 20;
  r.memory->reservation = 128 << 20;
  r.memory->swap = 512 << 20;
  r.memory->kernel = 1 << 20;  // ignored with a warning on v2
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 1000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->idle = 1;
  r.pids_limit = 100;
  r.block_io.emplace();
  r.block_io->weight = 500;
  r.block_io->weight_devices = {{8, 0, 300, std::nullopt}};
  r.block_io->throttle_read_bps = {{8, 0, 1048576}};
  r.block_io->throttle_write_bps = {{8, 0, 2097152}};
  r.block_io->throttle_read_iops = {{8, 0, 10}};
  r.block_io->throttle_write_iops = {{8, 16, 20}};
  r.hugepage_limits = {{"2MB", 4u << 21}, {"1GB", 1u << 30}};
  r.unified = {{"memory.max", "300000000"}, {"cpu.weight", "42"}};
  t.record();
  auto res = manager->apply(r);
  ASSERT_TRUE(res) << res.error().to_string();
  expect_golden("v2_apply_full.txt", t.recorded());
  // unified comes last and wins.
  EXPECT_EQ(t.read("user.slice/c1/memory.max"), "300000000");
}

TEST_F(V2Apply, QuotaOrPeriodAloneKeepsTheOther) {
  t.write("user.slice/c1/cpu.max", "20000 50000\n");
  Resources r;
  r.cpu.emplace();
  r.cpu->period = 100000;
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(t.read("user.slice/c1/cpu.max"), "20000 100000");
  r.cpu->period.reset();
  r.cpu->quota = -1;
  ASSERT_TRUE(manager->apply(r));
  EXPECT_EQ(t.read("user.slice/c1/cpu.max"), "max 100000");
}

TEST_F(V2Apply, MissingControllerAndBadUnifiedKeysAreClearErrors) {
  ::unlink((t.root() + "/user.slice/c1/memory.max").c_str());
  Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 20;
  auto res = manager->apply(r);
  ASSERT_FALSE(res);
  EXPECT_NE(res.error().to_string().find("memory controller is not enabled"), std::string::npos)
      << res.error().to_string();

  for (const char* key : {"../../etc/passwd", "cgroup.procs", "nodot", ".hidden", "rdma.max"}) {
    Resources u;
    u.unified[key] = "1";
    auto bad = manager->apply(u);
    ASSERT_FALSE(bad) << key;
    EXPECT_TRUE(bad.error().is(ErrorCategory::InvalidArgument)) << key;
  }
  Resources rt;
  rt.cpu.emplace();
  rt.cpu->realtime_runtime = 100;
  EXPECT_FALSE(manager->apply(rt));
}

TEST_F(V2Apply, FreezeWaitsForTheFrozenEvent) {
  // The fixture's events already say frozen, as a kernel would after an
  // empty group froze.
  t.write("user.slice/c1/cgroup.events", "populated 0\nfrozen 1\n");
  ASSERT_TRUE(manager->freeze(FreezerState::Frozen));
  EXPECT_EQ(t.read("user.slice/c1/cgroup.freeze"), "1");
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Frozen);
  t.write("user.slice/c1/cgroup.events", "populated 1\nfrozen 0\n");
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Freezing);
  ASSERT_TRUE(manager->freeze(FreezerState::Thawed));
  EXPECT_EQ(*manager->freezer_state(), FreezerState::Thawed);
}

TEST_F(V2Apply, KillUsesCgroupKill) {
  t.record();
  ASSERT_TRUE(manager->signal_all(SIGKILL));
  EXPECT_EQ(t.recorded(), "/user.slice/c1/cgroup.kill = 1\n");
}

TEST_F(V2Apply, OpenForCloneGivesTheGroupDirectory) {
  auto fd = manager->open_for_clone();
  ASSERT_TRUE(fd);
  ASSERT_TRUE(fd->has_value());
  EXPECT_GE((*fd)->get(), 0);
}

TEST(V2Convert, CpuSharesToWeightAsRunc) {
  EXPECT_EQ(cpu_shares_to_weight(0), 0u);
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
  EXPECT_EQ(cpu_shares_to_weight(512), 20u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1u << 30), 10000u);
}

TEST(V2Convert, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(0), 0u);
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(V2Convert, SwapIsMemoryPlusSwapMinusMemory) {
  EXPECT_EQ(*swap_to_v2(512, 256), std::optional<int64_t>(256));
  EXPECT_EQ(*swap_to_v2(256, 256), std::optional<int64_t>(0));
  EXPECT_EQ(*swap_to_v2(-1, 256), std::optional<int64_t>(-1));
  EXPECT_EQ(*swap_to_v2(0, -1), std::optional<int64_t>(-1));
  EXPECT_EQ(*swap_to_v2(0, 256), std::nullopt);
  EXPECT_FALSE(swap_to_v2(128, 256));           // smaller than memory
  EXPECT_FALSE(swap_to_v2(512, std::nullopt));  // swap without memory
  EXPECT_FALSE(swap_to_v2(512, -1));
}

}  // namespace
}  // namespace berth::cgroups::testing
