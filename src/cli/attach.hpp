// A hijacked attach/exec connection wired to this terminal: stdin to the
// container, output demultiplexed to stdout/stderr, raw mode and window
// size for -t, the detach sequence (ctrl-p ctrl-q), and the half-close on
// stdin EOF that tells the daemon to close the container's stdin.
#pragma once

#include <functional>
#include <string>

#include "api/client.hpp"
#include "base/error.hpp"
#include "cli/signal_proxy.hpp"

namespace berth::cli {

struct AttachOptions {
  bool tty = false;
  bool stdin = false;
  std::string detach_keys = "ctrl-p,ctrl-q";
  // Called once after the streams are set up and on every SIGWINCH
  // (height, width of this terminal).
  std::function<void(int, int)> resize;
  // Without a TTY: signals caught by this proxy are forwarded while the
  // streams are pumped (null = no proxying).
  SignalProxy* signals = nullptr;
};

// Returns true when the user detached with the detach keys.
Result<bool> pump(api::HijackedConnection& conn, const AttachOptions& options);

// The terminal's size, or false when stdout is not a terminal.
bool terminal_size(int& height, int& width);

// The exit code docker run gives to a start error message (126, 127, 125).
int start_error_exit_code(const std::string& message);

}  // namespace berth::cli
