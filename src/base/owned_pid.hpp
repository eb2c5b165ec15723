// OwnedPid: the one owner of a child process. If dropped while the child
// may still run, it kills (SIGKILL) and reaps it, so no error path leaves a
// stray or zombie process. Signals and waits go through a pidfd when one is
// held, which makes them immune to pid reuse.
#pragma once

#include <sys/types.h>

#include <optional>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth {

struct ExitStatus {
  int code = 0;    // exit code if exited normally
  int signal = 0;  // terminating signal, 0 if exited normally

  bool exited_ok() const { return signal == 0 && code == 0; }
  // The shell convention (128 + signal) that runc and docker report.
  int shell_code() const { return signal != 0 ? 128 + signal : code; }
  static ExitStatus from_wait_status(int status);
};

class OwnedPid {
 public:
  OwnedPid() = default;
  // Takes ownership of a child of this process; opens a pidfd for it.
  static Result<OwnedPid> adopt(pid_t pid);
  OwnedPid(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  ~OwnedPid() { kill_and_reap(); }

  OwnedPid(OwnedPid&& other) noexcept;
  OwnedPid& operator=(OwnedPid&& other) noexcept;
  OwnedPid(const OwnedPid&) = delete;
  OwnedPid& operator=(const OwnedPid&) = delete;

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool valid() const { return pid_ > 0; }

  Result<> signal(int sig) const;
  // Blocks until the child exits; the pid is then no longer owned.
  Result<ExitStatus> wait();
  // Non-blocking: nullopt while the child runs.
  Result<std::optional<ExitStatus>> try_wait();
  // Gives up ownership: the caller (or nobody) reaps it.
  [[nodiscard]] pid_t release();

 private:
  void kill_and_reap();
  Result<std::optional<ExitStatus>> wait_impl(int flags);

  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

// pidfd_open(2), O_CLOEXEC is implied by the kernel.
Result<UniqueFd> pidfd_open(pid_t pid);

}  // namespace berth
