// Limits from linux.resources are visible in the container's cgroup files
// and enforced (an OOM kill, a fork bomb stopped at pids.max); pause
// freezes; update changes limits live; stats read them back. Skipped when
// this build has no cgroup managers yet.
#include <thread>

#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Cgroups : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    cgroups::ManagerOptions probe;
    probe.container_id = "berth-probe";
    if (auto m = cgroups::make_manager(probe); !m && m.error().is(ErrorCategory::Unavailable))
      GTEST_SKIP() << "cgroup managers not built in: " << m.error().to_string();
  }
  // Either layout, as the container sees it.
  static std::string knob(const char* v1, const char* v2) {
    return std::string("(cat /sys/fs/cgroup/") + v1 + " 2>/dev/null || cat /sys/fs/cgroup/" + v2 + ")";
  }
};

TEST_F(Cgroups, MemoryLimitIsWrittenAndEnforced) {
  auto spec = spec_for(knob("memory/memory.limit_in_bytes", "memory.max") + " > /out/limit; tail /dev/zero");
  spec.linux->resources->memory = oci::MemoryResources{};
  spec.linux->resources->memory->limit = 32 << 20;
  spec.linux->resources->memory->swap = 32 << 20;
  EXPECT_EQ(run_spec(spec), 128 + SIGKILL);  // the OOM killer
  EXPECT_EQ(out("limit"), std::to_string(32 << 20));
}

TEST_F(Cgroups, ForkBombStopsAtPidsMax) {
  // The bomb runs in a child shell (busybox sh gives up on a failed
  // fork); after it only builtins run, since a fork would fail too.
  auto spec = spec_for(knob("pids/pids.max", "pids.max") + " > /out/max;"
                       "sh -c 'for i in $(seq 40); do sleep 5 & done' 2>/out/err;"
                       "f=/sys/fs/cgroup/pids/pids.current; [ -e $f ] || f=/sys/fs/cgroup/pids.current;"
                       "read cur < $f; echo $cur > /out/current; true");
  spec.linux->resources->pids_limit = 16;
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("max"), "16");
  EXPECT_LE(std::stoi(out("current")), 16);
  EXPECT_NE(out("err").find("fork"), std::string::npos) << out("err");
}

TEST_F(Cgroups, PauseFreezesAndResumeThaws) {
  write_config(spec_for("i=0; while true; do i=$((i+1)); echo $i > /out/count; sleep 0.05; done"));
  auto created = create(ctx_, {"p", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created);
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "p"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(pause(ctx_, "p"));
  EXPECT_EQ(state(ctx_, "p")->status, oci::Status::Paused);
  std::string frozen = out("count");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(out("count"), frozen);
  ASSERT_TRUE(resume(ctx_, "p"));
  EXPECT_EQ(state(ctx_, "p")->status, oci::Status::Running);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NE(out("count"), frozen);
  ASSERT_TRUE(remove(ctx_, "p", true));
}

TEST_F(Cgroups, UpdateChangesLimitsLiveAndStatsReadThem) {
  write_config(spec_for("exec sleep 60"));
  auto created = create(ctx_, {"u", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created);
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "u"));
  oci::Resources r;
  r.pids_limit = 42;
  ASSERT_TRUE(update(ctx_, "u", r));
  auto s = stats(ctx_, "u");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->pids.limit, 42u);
  EXPECT_GE(s->pids.current, 1u);
  auto p = pids(ctx_, "u");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size(), 1u);
  ASSERT_TRUE(kill(ctx_, "u", SIGKILL, true));
  ASSERT_TRUE(remove(ctx_, "u", true));
}

// Device access strings are read as runc reads them: only r, w and m
// count ("ra" is read-only; runc's update.bats uses "rwa"), and a rule
// with none of them is dropped, not an error.
TEST_F(Cgroups, DeviceAccessKeepsOnlyReadWriteMknod) {
  auto spec = spec_for("(exec 3</dev/fuse) 2>/dev/null; echo $? > /out/read;"
                       "(exec 3>/dev/fuse) 2>/dev/null; echo $? > /out/write");
  spec.linux->devices.push_back({"c", "/dev/fuse", 10, 229, 0666u, 0u, 0u});
  auto& rules = spec.linux->resources->devices;
  rules.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
  rules.push_back({true, "c", 10, 229, "ra"});
  rules.push_back({false, "c", 1, 11, "rwa"});
  rules.push_back({true, "c", 1, 11, "a"});
  EXPECT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("read"), "0");
  EXPECT_NE(out("write"), "0");

  write_config(spec_for("exec sleep 60"));
  auto created = create(ctx_, {"d", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created) << created.error().to_string();
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "d"));
  oci::Resources r;
  r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}, {false, "c", 1, 11, "rwa"}};
  auto updated = update(ctx_, "d", r);
  EXPECT_TRUE(updated) << updated.error().to_string();
  ASSERT_TRUE(remove(ctx_, "d", true));
}

}  // namespace
}  // namespace berth::runtime::testing
