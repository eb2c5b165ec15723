#include "cli/attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "cli/streams.hpp"

namespace berth::cli {
namespace {

int g_winch_pipe = -1;  // write end, for the SIGWINCH handler

void on_winch(int) {
  if (g_winch_pipe >= 0) {
    char c = 'w';
    [[maybe_unused]] ssize_t n = ::write(g_winch_pipe, &c, 1);
  }
}

// "ctrl-p,ctrl-q" -> {0x10, 0x11}; plain characters stand for themselves.
std::string parse_detach_keys(const std::string& spec) {
  std::string keys;
  for (const auto& k : split(spec, ',')) {
    if (k.size() == 6 && k.rfind("ctrl-", 0) == 0) {
      char c = k[5];
      if (c >= 'a' && c <= 'z') keys += static_cast<char>(c - 'a' + 1);
      else if (c == '@') keys += '\0';
      else if (c >= '[' && c <= '_') keys += static_cast<char>(c - '[' + 27);
    } else if (k.size() == 1) {
      keys += k;
    }
  }
  return keys;
}

// Matches the detach sequence across reads: bytes that might start it are
// held back until the next byte decides.
class EscapeFilter {
 public:
  explicit EscapeFilter(std::string keys) : keys_(std::move(keys)) {}
  // Returns the bytes to forward; sets detached when the sequence completed.
  std::string filter(std::string_view in, bool& detached) {
    std::string out;
    for (char c : in) {
      if (!keys_.empty() && c == keys_[held_.size()]) {
        held_ += c;
        if (held_.size() == keys_.size()) {
          detached = true;
          return out;
        }
        continue;
      }
      out += held_;
      held_.clear();
      out += c;
    }
    return out;
  }

 private:
  std::string keys_;
  std::string held_;
};

}  // namespace

bool terminal_size(int& height, int& width) {
  winsize ws{};
  if (::ioctl(1, TIOCGWINSZ, &ws) != 0 && ::ioctl(0, TIOCGWINSZ, &ws) != 0) return false;
  height = ws.ws_row;
  width = ws.ws_col;
  return height > 0 && width > 0;
}

int start_error_exit_code(const std::string& message) {
  if (message.find("executable file not found") != std::string::npos ||
      message.find("no such file or directory") != std::string::npos)
    return 127;
  if (message.find("permission denied") != std::string::npos ||
      message.find("not a directory") != std::string::npos)
    return 126;
  return 125;
}

Result<bool> pump(api::HijackedConnection& conn, const AttachOptions& options) {
  bool raw = options.tty && options.stdin && ::isatty(0);
  termios saved{};
  if (raw && ::tcgetattr(0, &saved) == 0) {
    termios t = saved;
    ::cfmakeraw(&t);
    t.c_oflag |= OPOST;  // keep \n -> \r\n for our own messages
    ::tcsetattr(0, TCSANOW, &t);
  } else {
    raw = false;
  }
  ScopeGuard restore([&] {
    if (raw) ::tcsetattr(0, TCSANOW, &saved);
  });
  int pipefd[2] = {-1, -1};
  if (::pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) return sys_error("pipe");
  UniqueFd winch_read(pipefd[0]), winch_write(pipefd[1]);
  struct sigaction sa {}, old_sa{};
  if (options.tty) {
    g_winch_pipe = winch_write.get();
    sa.sa_handler = on_winch;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGWINCH, &sa, &old_sa);
  }
  ScopeGuard unhook([&] {
    if (options.tty) {
      ::sigaction(SIGWINCH, &old_sa, nullptr);
      g_winch_pipe = -1;
    }
  });
  int h, w;
  if (options.tty && options.resize && terminal_size(h, w)) options.resize(h, w);

  OutputDemux demux(options.tty);
  if (!conn.buffered.empty()) TRY(demux.feed(conn.buffered));
  EscapeFilter escape(options.tty ? parse_detach_keys(options.detach_keys) : "");
  bool stdin_open = options.stdin;
  if (!stdin_open) ::shutdown(conn.fd.get(), SHUT_WR);
  std::string buf(32 * 1024, '\0');
  for (;;) {
    int proxy_fd = options.signals ? options.signals->fd() : -1;
    pollfd fds[4] = {{conn.fd.get(), POLLIN, 0}, {winch_read.get(), POLLIN, 0}, {proxy_fd, POLLIN, 0},
                     {0, POLLIN, 0}};
    nfds_t n = stdin_open ? 4 : 3;
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error("poll");
    }
    if (fds[2].revents & POLLIN) {
      options.signals->dispatch();
      if (options.signals->forced()) return false;
    }
    if (fds[1].revents & POLLIN) {
      char drain[64];
      while (::read(winch_read.get(), drain, sizeof drain) > 0) {
      }
      if (options.resize && terminal_size(h, w)) options.resize(h, w);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t got = ::recv(conn.fd.get(), buf.data(), buf.size(), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;  // the daemon closed: the process ended
      TRY(demux.feed(std::string_view(buf.data(), static_cast<size_t>(got))));
    }
    if (stdin_open && (fds[3].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(0, buf.data(), buf.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        // stdin EOF: half-close so the daemon closes the container's stdin.
        ::shutdown(conn.fd.get(), SHUT_WR);
        stdin_open = false;
        continue;
      }
      bool detached = false;
      std::string data = escape.filter(std::string_view(buf.data(), static_cast<size_t>(got)), detached);
      if (!data.empty()) {
        auto sent = write_all(conn.fd.get(), data);
        if (!sent) stdin_open = false;
      }
      if (detached) return true;
    }
  }
}

}  // namespace berth::cli
