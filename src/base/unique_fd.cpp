#include "base/unique_fd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace berth {

void UniqueFd::reset(int fd) {
  int old = std::exchange(fd_, fd);
  // close() on Linux always releases the fd, even on EINTR: never retry.
  if (old >= 0) ::close(old);
}

Result<UniqueFd> UniqueFd::dup() const {
  int copy = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return sys_error("dup fd");
  return UniqueFd(copy);
}

Result<Pipe> make_pipe(int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) < 0) return sys_error("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<std::pair<UniqueFd, UniqueFd>> make_socketpair(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) < 0) return sys_error("socketpair");
  return std::pair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace berth
