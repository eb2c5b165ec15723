// create -> created (init waits on exec.fifo, state readable by anyone)
// -> start -> running -> kill -> stopped -> delete, with exit codes and
// signals propagated, as the runtime-spec describes.
#include <csignal>

#include "fixture.hpp"
#include "sys/process.hpp"

namespace berth::runtime::testing {
namespace {

class Lifecycle : public ContainerTest {};

TEST_F(Lifecycle, ExitCodePropagates) {
  EXPECT_EQ(run_script("exit 7"), 7);
  EXPECT_EQ(run_script("true"), 0);
  // Deleted after a foreground run.
  EXPECT_TRUE(state(ctx_, "c1").error().is(ErrorCategory::NotFound));
}

TEST_F(Lifecycle, SignalsReachTheInit) {
  // sh as pid 1 ignores SIGTERM unless it traps it: the trap proves delivery.
  write_config(spec_for("trap 'echo got > /out/term; exit 9' TERM; echo up > /out/up; while true; do sleep 0.05; done"));
  auto created = create(ctx_, {"sig", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created) << created.error().to_string();
  ASSERT_TRUE(start(ctx_, "sig"));
  for (int i = 0; i < 300 && out("up") != "up"; ++i) ::usleep(10000);
  ASSERT_TRUE(kill(ctx_, "sig", SIGTERM, false));
  auto exited = created->init.wait();
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->code, 9);
  EXPECT_EQ(out("term"), "got");
}

TEST_F(Lifecycle, SignalDeathIsReportedAs128PlusSignal) {
  write_config(spec_for("sleep 60"));
  auto created = create(ctx_, {"k", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created);
  ASSERT_TRUE(start(ctx_, "k"));
  ASSERT_TRUE(kill(ctx_, "k", SIGKILL, false));
  auto exited = created->init.wait();
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->shell_code(), 128 + SIGKILL);
}

TEST_F(Lifecycle, CreateStartStateKillDelete) {
  write_config(spec_for("echo started > /out/started; exec sleep 60"));
  CreateOptions options{"life", bundle_, base_ + "/pidfile", "", false, false, 0, true};
  {
    auto created = create(ctx_, options);
    ASSERT_TRUE(created) << created.error().to_string();
    (void)created->init.release();  // as the CLI does: the init outlives us
  }
  auto st = state(ctx_, "life");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, oci::Status::Created);
  EXPECT_GT(st->pid, 0);
  EXPECT_EQ(read_file(base_ + "/pidfile").value_or(""), std::to_string(st->pid));
  // The user process has not run yet.
  EXPECT_EQ(out("started"), "<missing started>");

  ASSERT_TRUE(start(ctx_, "life"));
  EXPECT_EQ(state(ctx_, "life")->status, oci::Status::Running);
  EXPECT_FALSE(start(ctx_, "life"));  // not twice
  for (int i = 0; i < 200 && out("started") != "started"; ++i) ::usleep(10000);
  EXPECT_EQ(out("started"), "started");

  EXPECT_TRUE(remove(ctx_, "life", false).error().is(ErrorCategory::Conflict));
  auto pidfd = pidfd_open(st->pid);
  ASSERT_TRUE(pidfd);
  ASSERT_TRUE(kill(ctx_, "life", SIGKILL, false));
  ASSERT_TRUE(sys::pidfd_wait_exit(pidfd->get(), 5000).value_or(false));
  EXPECT_EQ(state(ctx_, "life")->status, oci::Status::Stopped);
  EXPECT_FALSE(kill(ctx_, "life", SIGTERM, false));
  ASSERT_TRUE(remove(ctx_, "life", false));
  EXPECT_TRUE(state(ctx_, "life").error().is(ErrorCategory::NotFound));
  EXPECT_EQ(::access((ctx_.root + "/life").c_str(), F_OK), -1);
}

TEST_F(Lifecycle, DuplicateIdIsAConflict) {
  write_config(spec_for("sleep 60"));
  CreateOptions options{"dup", bundle_, "", "", false, false, 0, true};
  auto first = create(ctx_, options);
  ASSERT_TRUE(first);
  auto second = create(ctx_, options);
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().is(ErrorCategory::Conflict));
  EXPECT_NE(second.error().message().find("container with id exists"), std::string::npos);
  ASSERT_TRUE(remove(ctx_, "dup", true));
}

TEST_F(Lifecycle, MissingExecutableFailsCreateAndCleansUp) {
  auto spec = spec_for("true");
  spec.process->args = {"/no/such/binary"};
  write_config(spec);
  auto created = create(ctx_, {"bad", bundle_, "", "", false, false, 0, true});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().to_string().find("/no/such/binary"), std::string::npos) << created.error().to_string();
  EXPECT_EQ(::access((ctx_.root + "/bad").c_str(), F_OK), -1);
}

// The init builds its rootfs before the parent has put it in its v1
// cgroups ("go"): a mount that fails there is reported with the init's
// message, and nothing is left behind.
TEST_F(Lifecycle, RootfsFailureBeforeGoIsReportedAndCleansUp) {
  auto spec = spec_for("true");
  oci::Mount bad;
  bad.destination = "/mnt";
  bad.type = "nosuchfs";
  bad.source = "none";
  spec.mounts.push_back(bad);
  write_config(spec);
  auto created = create(ctx_, {"badmount", bundle_, "", "", false, false, 0, true});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().to_string().find("/mnt"), std::string::npos) << created.error().to_string();
  EXPECT_EQ(::access((ctx_.root + "/badmount").c_str(), F_OK), -1);
  EXPECT_EQ(::access(("/sys/fs/cgroup/pids" + spec.linux->cgroups_path).c_str(), F_OK), -1);
  EXPECT_EQ(::access(("/sys/fs/cgroup" + spec.linux->cgroups_path).c_str(), F_OK), -1);
}

// A detached run starts the process over the sync channel, not exec.fifo:
// the container is running at once, the fifo is gone, and (as after
// `start`) the process has been exec'd when run returns.
TEST_F(Lifecycle, DetachedRunStartsWithoutTheFifo) {
  write_config(spec_for("echo up > /out/up; exec sleep 60"));
  CreateOptions options;
  options.id = "d";
  options.bundle = bundle_;
  std::string own_comm = read_file("/proc/self/comm").value_or("");
  auto code = run(ctx_, options, RunOptions{true, false});
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_EQ(*code, 0);
  auto st = state(ctx_, "d");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, oci::Status::Running);
  EXPECT_NE(read_file("/proc/" + std::to_string(st->pid) + "/comm").value_or(own_comm), own_comm);
  EXPECT_EQ(::access((ctx_.root + "/d/exec.fifo").c_str(), F_OK), -1);
  for (int i = 0; i < 300 && out("up") != "up"; ++i) ::usleep(10000);
  EXPECT_EQ(out("up"), "up");
  ASSERT_TRUE(remove(ctx_, "d", true));
}

TEST_F(Lifecycle, ForceDeleteKillsARunningContainer) {
  write_config(spec_for("sleep 60"));
  auto created = create(ctx_, {"f", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created);
  pid_t pid = created->pid;
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "f"));
  ASSERT_TRUE(remove(ctx_, "f", true));
  EXPECT_FALSE(sys::process_alive(pid));
}

TEST_F(Lifecycle, ListShowsEveryContainer) {
  write_config(spec_for("sleep 60"));
  for (const char* id : {"a", "b"}) {
    auto c = create(ctx_, {id, bundle_, "", "", false, false, 0, true});
    ASSERT_TRUE(c);
    (void)c->init.release();
  }
  auto all = list(ctx_);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "a");
  EXPECT_EQ((*all)[1].status, oci::Status::Created);
}

}  // namespace
}  // namespace berth::runtime::testing
