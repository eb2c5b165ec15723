#include "sys/clone3.hpp"

#include <linux/sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

namespace berth::sys {

Result<CloneResult> clone3(const CloneRequest& request, bool* into_cgroup_used) {
  int pidfd = -1;
  clone_args args{};
  args.flags = request.flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = static_cast<uint64_t>(request.exit_signal);
  if (request.cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(request.cgroup_fd);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && request.cgroup_fd >= 0 && (errno == E2BIG || errno == EINVAL)) {
    // Kernel older than 5.7: the caller moves the child into the cgroup.
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
    pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (into_cgroup_used) *into_cgroup_used = false;
  } else if (into_cgroup_used) {
    *into_cgroup_used = request.cgroup_fd >= 0;
  }
  if (pid < 0 && errno == ENOSYS && request.cgroup_fd < 0) {
    // No clone3 (a kernel before 5.3, or valgrind): clone(2) takes the same
    // flags below 2^32 and returns the pidfd through parent_tid.
    pid = ::syscall(SYS_clone, static_cast<unsigned long>(args.flags) | args.exit_signal, nullptr, &pidfd,
                    nullptr, 0UL);
  }
  if (pid < 0) return sys_error("clone3");
  CloneResult result;
  result.pid = static_cast<pid_t>(pid);
  if (pid > 0) result.pidfd = UniqueFd(pidfd);
  return result;
}

}  // namespace berth::sys
