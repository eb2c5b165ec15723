// Log records of a runtime's child (the container's init, an exec child
// before its execve) reach the runtime's own log through a pipe, as runc's
// do: the child writes JSON records, the parent re-emits each one with its
// own format and destination. Writing straight to the log fd would not
// do: after become_terminal_session the child's stderr is the container's
// terminal, and a --log file must reach the parent's records in order.
#pragma once

#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "runtime/sync.hpp"

namespace berth::runtime {

// Child side: from now on this process's records go to `write_fd` as JSON
// (at the level the parent logs at).
void log_to_parent(int write_fd);
// Child side: the pipe is closed and records are dropped from here on
// (what the child writes after this goes to its own stderr, if anywhere).
void stop_logging_to_parent(int write_fd);

class LogForwarder {
 public:
  LogForwarder() = default;
  explicit LogForwarder(UniqueFd read_end) : fd_(std::move(read_end)) {}
  // Forwards whatever whole records are buffered now; false once at EOF.
  bool pump();
  // Forwards until the child's end is closed (or `timeout_ms` passed: a
  // record the child never finishes must not hang the runtime).
  void drain(int timeout_ms = 2000);
  int fd() const { return fd_.get(); }

 private:
  void forward_lines();
  UniqueFd fd_;
  std::string pending_;
};

// sync.recv, forwarding the child's records while it waits.
Result<std::string> recv_forwarding(const SyncChannel& sync, LogForwarder& log, UniqueFd* fd = nullptr);

}  // namespace berth::runtime
