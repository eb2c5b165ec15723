#include "runtime/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "base/file.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  return set;
}

void copy_window_size(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Copies what is readable now; false on EOF/EIO (the other side is gone).
bool pump(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EAGAIN || errno == EINTR);
  (void)write_all(to, std::string_view(buf, static_cast<size_t>(n)));
  return true;
}

class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    if (::isatty(fd) && ::tcgetattr(fd, &saved_) == 0) {
      termios raw = saved_;
      ::cfmakeraw(&raw);
      active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
  }
  ~RawMode() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace

Result<Pty> open_pty(const std::optional<oci::ConsoleSize>& size) {
  // /dev/ptmx is the container's pts/ptmx (devices.cpp links it).
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return sys_error("open /dev/ptmx");
  if (::unlockpt(master.get()) != 0) return sys_error("unlockpt");
  UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return sys_error("open pty slave");
  char name[64];
  if (::ptsname_r(master.get(), name, sizeof name) != 0) return sys_error("ptsname");
  if (size) {
    winsize ws{static_cast<unsigned short>(size->height), static_cast<unsigned short>(size->width), 0, 0};
    ::ioctl(slave.get(), TIOCSWINSZ, &ws);
  }
  return Pty{std::move(master), std::move(slave), name};
}

Result<> become_terminal_session(int slave) {
  if (::setsid() < 0) return sys_error("setsid");
  if (::ioctl(slave, TIOCSCTTY, 0) != 0) return sys_error("TIOCSCTTY");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave, fd) < 0) return sys_error("dup2 pty slave");
  return ok();
}

Result<> send_console(const std::string& socket_path, int master) {
  auto sock = TRY_CTX(sys::connect_unix(socket_path), "console socket");
  TRY_CTX(sys::send_fd(sock.get(), master, "/dev/ptmx"), "console socket");
  return ok();
}

Result<> block_forwarded_signals() {
  sigset_t set = forwarded_set();
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return sys_error("sigprocmask");
  return ok();
}

void reset_signals() {
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
}

Result<ExitStatus> relay_until_exit(OwnedPid& child, int master) {
  sigset_t set = forwarded_set();
  UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd) return sys_error("signalfd");
  std::optional<RawMode> raw;
  bool stdin_open = master >= 0;
  bool master_open = master >= 0;
  if (master >= 0) {
    raw.emplace(0);
    copy_window_size(0, master);
  }
  for (;;) {
    pollfd fds[4] = {{child.pidfd(), POLLIN, 0}, {sigfd.get(), POLLIN, 0},
                     {stdin_open ? 0 : -1, POLLIN, 0}, {master_open ? master : -1, POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0 && errno != EINTR) return sys_error("poll");
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH && master >= 0) copy_window_size(0, master);
        else if (si.ssi_signo != SIGWINCH) (void)child.signal(static_cast<int>(si.ssi_signo));
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP)) stdin_open = pump(0, master);
    if (fds[3].revents & (POLLIN | POLLHUP)) master_open = pump(master, 1);
    if (fds[0].revents & POLLIN) break;
  }
  if (master >= 0) {
    // Drain what the container wrote before it exited.
    int fl = ::fcntl(master, F_GETFL);
    ::fcntl(master, F_SETFL, fl | O_NONBLOCK);
    char buf[16384];
    for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
      (void)write_all(1, std::string_view(buf, static_cast<size_t>(n)));
  }
  return child.wait();
}

}  // namespace berth::runtime
