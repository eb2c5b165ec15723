#include "cli/signal_proxy.hpp"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

int g_proxy_pipe = -1;  // write end, for the handler

void on_signal(int signo) {
  if (g_proxy_pipe < 0) return;
  int saved = errno;
  unsigned char c = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = ::write(g_proxy_pipe, &c, 1);
  errno = saved;
}

bool skipped(int s) {
  switch (s) {
    case SIGKILL: case SIGSTOP:                  // cannot be caught
    case SIGCHLD: case SIGPIPE: case SIGURG:     // docker's ForwardAllSignals skips these
    case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<int> proxied_signals() {
  std::vector<int> out;
  for (int s = 1; s <= SIGRTMAX; ++s) {
    // 32 and 33 belong to glibc's threads (SIGRTMIN starts above them).
    if (s >= 32 && s < SIGRTMIN) continue;
    if (!skipped(s)) out.push_back(s);
  }
  return out;
}

std::string signal_name(int signo) {
  if (signo < SIGRTMIN) {
    if (const char* abbrev = ::sigabbrev_np(signo)) return abbrev;
  }
  return std::to_string(signo);
}

SignalProxy::SignalProxy(std::function<void(int)> forward) : forward_(std::move(forward)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;  // no proxy: signals keep their defaults
  read_ = UniqueFd(fds[0]);
  write_ = UniqueFd(fds[1]);
  g_proxy_pipe = write_.get();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  std::vector<int> caught = forward_ ? proxied_signals() : std::vector<int>{SIGINT, SIGTERM};
  for (int s : caught) {
    struct sigaction old {};
    if (::sigaction(s, &sa, &old) == 0) saved_.emplace_back(s, old);
  }
}

SignalProxy::~SignalProxy() {
  for (auto& [s, old] : saved_) ::sigaction(s, &old, nullptr);
  g_proxy_pipe = -1;
}

void SignalProxy::dispatch() {
  unsigned char buf[64];
  for (;;) {
    ssize_t n = ::read(read_.get(), buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t i = 0; i < n && !forced(); ++i) {
      if (forward_) forward_(buf[i]);
      if ((buf[i] == SIGINT || buf[i] == SIGTERM) && ++interrupts_ == 3)
        err("\ngot 3 SIGTERM/SIGINTs, forcefully exiting\n");
    }
  }
}

}  // namespace berth::cli
