#include "runtime/sync.hpp"

#include <sys/socket.h>

#include <cstring>

#include "sys/process.hpp"

namespace berth::runtime {

Result<std::pair<SyncChannel, SyncChannel>> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return sys_error("socketpair");
  return std::pair{SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

Result<> SyncChannel::send(std::string_view message) const {
  ssize_t n;
  do n = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("sync send");
  return ok();
}

Result<> SyncChannel::send_with_fd(std::string_view message, int fd) const {
  return sys::send_fd(fd_.get(), fd, std::string(message));
}

Result<std::string> SyncChannel::recv(UniqueFd* fd) const {
  char buf[8192];
  char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("sync receive");
  if (cmsghdr* c = CMSG_FIRSTHDR(&msg); c && c->cmsg_type == SCM_RIGHTS) {
    int passed;
    std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
    UniqueFd owned(passed);
    if (fd) *fd = std::move(owned);
  }
  return std::string(buf, static_cast<size_t>(n));
}

Result<> SyncChannel::expect(std::string_view want, UniqueFd* fd) const {
  auto got = TRY(recv(fd));
  if (got == want) return ok();
  if (got.starts_with("error:")) {
    // The child's message already reads like one of ours; keep errno out.
    return make_error(ErrorCategory::Internal, got.substr(6));
  }
  if (got.empty()) return make_error(ErrorCategory::Internal, "container init exited unexpectedly");
  return make_error(ErrorCategory::Internal, "unexpected message from container init: " + got);
}

}  // namespace berth::runtime
