// openat2(2): path resolution the kernel keeps inside a root.
//
// Every path inside a container rootfs or an image layer goes through
// open_in_root, never through string joins: with RESOLVE_IN_ROOT the kernel
// treats root_fd as "/" for absolute symlinks and "..", so a hostile
// symlink cannot point the operation at a host path.
#pragma once

#include <linux/openat2.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::sys {

// Raw openat2; O_CLOEXEC is always added. Retries on EAGAIN (the kernel
// returns it for RESOLVE_IN_ROOT when a rename raced with the lookup).
Result<UniqueFd> openat2(int dirfd, const std::string& path, uint64_t flags, mode_t mode,
                         uint64_t resolve);

// Opens `path` with root_fd as "/" and magic links (/proc/self/fd/...)
// refused. `extra_resolve` adds e.g. RESOLVE_NO_SYMLINKS or
// RESOLVE_NO_XDEV.
Result<UniqueFd> open_in_root(int root_fd, const std::string& path, uint64_t flags, mode_t mode = 0,
                              uint64_t extra_resolve = 0);

}  // namespace berth::sys
