// Terminals: the container side opens a PTY inside its own devpts and
// makes the slave its controlling terminal; the master goes either to the
// caller's --console-socket (SCM_RIGHTS, as runc sends it) or stays with
// a foreground `run`/`exec`, which relays it to its own stdio.
#pragma once

#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/owned_pid.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::runtime {

struct Pty {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_path;  // "/dev/pts/0" as seen inside the container
};

Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size);
// setsid + TIOCSCTTY + slave on 0, 1, 2.
Result<> become_terminal_session(int slave);
Result<> send_console(const std::string& socket_path, int master);

// Blocks the signals a foreground runtime forwards to the container, so
// relay_until_exit can read them from a signalfd. Call before clone; the
// child restores an empty mask (reset_signals) before it execs.
Result<> block_forwarded_signals();
void reset_signals();

// Forwards signals, relays stdio <-> master (when master >= 0, putting our
// own terminal in raw mode), and returns the child's exit status.
Result<ExitStatus> relay_until_exit(OwnedPid& child, int master);

}  // namespace berth::runtime
