// Mount syscalls, classic and new (fsopen/fsconfig/fsmount/move_mount,
// open_tree, mount_setattr), each returning Result with the target named.
// The new API works on fds, which is how berth mounts onto targets it has
// resolved inside a rootfs with openat2 without ever re-resolving a path.
#pragma once

#include <sys/mount.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::sys {

// mount(2). `source`/`type`/`data` may be empty (passed as NULL).
Result<> mount(const std::string& source, const std::string& target, const std::string& type,
               unsigned long flags, const std::string& data = {});
Result<> umount(const std::string& target, int flags = 0);

// fsopen + fsconfig(SET_STRING/SET_FLAG per option) + CMD_CREATE + fsmount.
// Options are key[=value] strings as the kernel's fs parser takes them.
Result<UniqueFd> new_filesystem(const std::string& fstype, const std::string& source,
                                const std::vector<std::pair<std::string, std::string>>& options,
                                unsigned int mount_attrs);

// open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE]): a detached copy of a mount.
Result<UniqueFd> clone_tree(int dirfd, const std::string& path, bool recursive);

// move_mount of a detached mount fd onto the target fd (both AT_EMPTY_PATH).
Result<> attach_mount(int mount_fd, int target_fd);

// mount_setattr(2) on `dirfd` + `path` (empty path = dirfd itself).
Result<> set_mount_attrs(int dirfd, const std::string& path, bool recursive, uint64_t set,
                         uint64_t clear, uint64_t propagation = 0);

// pivot_root(".", ".") on the cwd, then lazily detach the old root.
Result<> pivot_root_here();

// /proc/self/fd/N, for the classic API given an fd from openat2.
std::string fd_path(int fd);

}  // namespace berth::sys
