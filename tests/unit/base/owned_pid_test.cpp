#include "base/owned_pid.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth {
namespace {

OwnedPid spawn_child(int exit_code, bool sleep_forever = false) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (sleep_forever)
      for (;;) ::pause();
    ::_exit(exit_code);
  }
  auto owned = OwnedPid::adopt(pid);
  EXPECT_TRUE(owned);
  return std::move(*owned);
}

bool pid_exists(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(OwnedPid, WaitReportsExitCode) {
  auto child = spawn_child(7);
  auto status = child.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 7);
  EXPECT_EQ(status->signal, 0);
  EXPECT_EQ(status->shell_code(), 7);
  EXPECT_FALSE(child.valid());
}

TEST(OwnedPid, SignalAndWaitReportsSignal) {
  auto child = spawn_child(0, true);
  ASSERT_TRUE(child.signal(SIGTERM));
  auto status = child.wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_EQ(status->shell_code(), 128 + SIGTERM);
}

TEST(OwnedPid, DroppingKillsAndReaps) {
  pid_t pid;
  {
    auto child = spawn_child(0, true);
    pid = child.pid();
    EXPECT_TRUE(pid_exists(pid));
  }
  // Reaped, not a zombie: the pid no longer exists for us.
  EXPECT_FALSE(pid_exists(pid));
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
}

TEST(OwnedPid, MoveTransfersOwnership) {
  auto child = spawn_child(0, true);
  pid_t pid = child.pid();
  OwnedPid other = std::move(child);
  EXPECT_FALSE(child.valid());
  EXPECT_EQ(other.pid(), pid);
  EXPECT_TRUE(pid_exists(pid));
  other = OwnedPid();
  EXPECT_FALSE(pid_exists(pid));
}

TEST(OwnedPid, TryWaitWhileRunning) {
  auto child = spawn_child(0, true);
  auto r = child.try_wait();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(child.valid());
}

TEST(OwnedPid, ReleaseLeavesProcessAlone) {
  auto child = spawn_child(3);
  pid_t pid = child.release();
  EXPECT_FALSE(child.valid());
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(OwnedPid, OperationsOnEmptyFail) {
  OwnedPid none;
  EXPECT_FALSE(none.signal(SIGTERM));
  EXPECT_EQ(none.wait().error().category(), ErrorCategory::NotFound);
}

TEST(ExitStatus, FromWaitStatus) {
  EXPECT_EQ(ExitStatus::from_wait_status(0x0500).code, 5);
  EXPECT_EQ(ExitStatus::from_wait_status(9).signal, 9);
  EXPECT_EQ(ExitStatus::from_wait_status(9).shell_code(), 137);
}

}  // namespace
}  // namespace berth
