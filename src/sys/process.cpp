#include "sys/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::sys {

int namespace_flag(const std::string& type) {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "user") return CLONE_NEWUSER;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  if (type == "time") return CLONE_NEWTIME;
  return 0;
}

std::string namespace_proc_name(const std::string& type) {
  if (type == "network") return "net";
  if (type == "mount") return "mnt";
  return type;
}

Result<> setns(int fd, int nstype, const std::string& what) {
  if (::setns(fd, nstype) != 0) return sys_error("setns " + what);
  return ok();
}

Result<> unshare(int flags) {
  if (::unshare(flags) != 0) return sys_error("unshare");
  return ok();
}

Result<> pidfd_signal(int pidfd, int sig) {
  // Raw syscall: glibc 2.36's <sys/pidfd.h> lacks C linkage under C++.
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) return sys_error("pidfd_send_signal");
  return ok();
}

Result<bool> pidfd_wait_exit(int pidfd, int timeout_ms) {
  pollfd p{pidfd, POLLIN, 0};
  for (;;) {
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return sys_error("poll pidfd");
    return rc > 0;
  }
}

Result<uint64_t> process_start_time(pid_t pid) {
  auto stat = TRY(read_file("/proc/" + std::to_string(pid) + "/stat", 4096));
  // comm (field 2) may hold spaces and parentheses: count from the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return make_error(ErrorCategory::Internal, "malformed /proc/" + std::to_string(pid) + "/stat");
  auto fields = split(std::string_view(stat).substr(close + 2), ' ');
  // fields[0] is field 3 (state); start time is field 22.
  if (fields.size() < 20)
    return make_error(ErrorCategory::Internal, "short /proc/" + std::to_string(pid) + "/stat");
  return TRY(parse_int<uint64_t>(fields[19]));
}

bool process_alive(pid_t pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return false;
  auto close = stat->rfind(')');
  return close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] != 'Z' &&
         (*stat)[close + 2] != 'X';
}

Result<> set_hostname(const std::string& name) {
  if (::sethostname(name.data(), name.size()) != 0) return sys_error("sethostname");
  return ok();
}

Result<> set_domainname(const std::string& name) {
  if (::setdomainname(name.data(), name.size()) != 0) return sys_error("setdomainname");
  return ok();
}

Result<> send_fd(int sock, int fd, const std::string& payload) {
  char control[CMSG_SPACE(sizeof(int))] = {};
  std::string data = payload.empty() ? std::string(1, '\0') : payload;
  iovec iov{data.data(), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  ssize_t n;
  do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("send fd");
  return ok();
}

Result<UniqueFd> recv_fd(int sock, std::string* payload) {
  char control[CMSG_SPACE(sizeof(int))] = {};
  char buf[4096];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("receive fd");
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS)
    return make_error(ErrorCategory::Internal, "receive fd: no descriptor in message");
  int fd;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  if (payload) payload->assign(buf, static_cast<size_t>(n));
  return UniqueFd(fd);
}

Result<UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return make_error(ErrorCategory::InvalidArgument, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("connect " + path);
  return fd;
}

Result<> set_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return sys_error("PR_SET_CHILD_SUBREAPER");
  return ok();
}

Result<> set_parent_death_signal(int sig) {
  if (::prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0) return sys_error("PR_SET_PDEATHSIG");
  return ok();
}

}  // namespace berth::sys
