#include "base/owned_pid.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace berth {

ExitStatus ExitStatus::from_wait_status(int status) {
  if (WIFSIGNALED(status)) return {0, WTERMSIG(status)};
  return {WEXITSTATUS(status), 0};
}

Result<UniqueFd> pidfd_open(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return sys_error("pidfd_open " + std::to_string(pid));
  return UniqueFd(fd);
}

Result<OwnedPid> OwnedPid::adopt(pid_t pid) {
  auto fd = TRY(pidfd_open(pid));
  return OwnedPid(pid, std::move(fd));
}

OwnedPid::OwnedPid(OwnedPid&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}

OwnedPid& OwnedPid::operator=(OwnedPid&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

Result<> OwnedPid::signal(int sig) const {
  if (!valid()) return make_error(ErrorCategory::NotFound, "no process");
  int rc = pidfd_
               ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0))
               : ::kill(pid_, sig);
  if (rc < 0) return sys_error("signal " + std::to_string(sig) + " to pid " + std::to_string(pid_));
  return ok();
}

Result<std::optional<ExitStatus>> OwnedPid::wait_impl(int flags) {
  if (!valid()) return make_error(ErrorCategory::NotFound, "no process to wait for");
  siginfo_t info{};
  int rc;
  do {
    rc = pidfd_ ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | flags)
                : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | flags);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return sys_error("wait for pid " + std::to_string(pid_));
  if (info.si_pid == 0) return std::optional<ExitStatus>{};  // WNOHANG, still running
  ExitStatus status =
      info.si_code == CLD_EXITED ? ExitStatus{info.si_status, 0} : ExitStatus{0, info.si_status};
  pid_ = -1;
  pidfd_.reset();
  return std::optional<ExitStatus>{status};
}

Result<ExitStatus> OwnedPid::wait() {
  auto status = TRY(wait_impl(0));
  return *status;
}

Result<std::optional<ExitStatus>> OwnedPid::try_wait() { return wait_impl(WNOHANG); }

pid_t OwnedPid::release() {
  pidfd_.reset();
  return std::exchange(pid_, -1);
}

void OwnedPid::kill_and_reap() {
  if (!valid()) return;
  (void)signal(SIGKILL);
  (void)wait_impl(0);
  pid_ = -1;
  pidfd_.reset();
}

}  // namespace berth
