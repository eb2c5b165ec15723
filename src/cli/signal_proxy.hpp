// Signal proxying without a TTY, as the docker CLI does for `run`,
// `attach` and `start -a`: every signal the CLI receives (except the ones
// that make no sense to forward) is caught and handed to a callback, which
// sends it to the container with POST /containers/{id}/kill?signal=NAME.
// The handlers only write the signal number to a self-pipe; the attach loop
// polls fd() and calls dispatch(), so the HTTP request runs outside the
// handler.
#pragma once

#include <signal.h>

#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"

namespace berth::cli {

// Like the docker CLI, SIGINT and SIGTERM are also counted, forwarded or
// not: the third one ends the CLI ("got 3 SIGTERM/SIGINTs, forcefully
// exiting", exit 1) while the container keeps running.
class SignalProxy {
 public:
  // Installs the handlers; the destructor restores the previous ones. With
  // no forward callback (--sig-proxy=false, a TTY) only SIGINT and SIGTERM
  // are caught, to be counted.
  explicit SignalProxy(std::function<void(int)> forward);
  ~SignalProxy();
  SignalProxy(const SignalProxy&) = delete;
  SignalProxy& operator=(const SignalProxy&) = delete;

  int fd() const { return read_.get(); }
  // Forwards every signal caught since the last call; prints docker's
  // message when the third SIGINT/SIGTERM arrived.
  void dispatch();
  // The third SIGINT/SIGTERM arrived: the caller exits with 1.
  bool forced() const { return interrupts_ >= 3; }

 private:
  std::function<void(int)> forward_;
  int interrupts_ = 0;
  UniqueFd read_, write_;
  std::vector<std::pair<int, struct sigaction>> saved_;
};

// The signals a proxy catches: all catchable ones but SIGCHLD, SIGPIPE and
// SIGURG (docker skips those) and the synchronous faults (SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGTRAP, SIGSYS: they are the CLI's own crashes).
std::vector<int> proxied_signals();

// The name the kill request carries: "USR1", "TERM", ...; a number for
// real-time signals, which have no abbreviation.
std::string signal_name(int signo);

}  // namespace berth::cli
