// clone3(2): one call that creates the child in its new namespaces, hands
// back a pidfd (immune to pid reuse) and, on cgroup v2, places it straight
// into the container's cgroup (CLONE_INTO_CGROUP) so it never runs a
// single instruction outside its limits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::sys {

struct CloneRequest {
  uint64_t flags = 0;        // CLONE_NEW*, CLONE_PIDFD is always added
  int exit_signal = 17;      // SIGCHLD
  int cgroup_fd = -1;        // >= 0: CLONE_INTO_CGROUP into this directory
};

struct CloneResult {
  pid_t pid = 0;     // 0 in the child
  UniqueFd pidfd;    // parent only
};

// Returns pid 0 in the child (which must only exec or _exit eventually).
// Falls back to clone without CLONE_INTO_CGROUP when the kernel lacks it,
// reporting that through `into_cgroup_used`.
Result<CloneResult> clone3(const CloneRequest& request, bool* into_cgroup_used = nullptr);

}  // namespace berth::sys
