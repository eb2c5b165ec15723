// Building the container's filesystem view inside its new mount
// namespace. Runs in the container's init before pivot_root; every target
// is resolved inside the rootfs with openat2(RESOLVE_IN_ROOT), so a
// symlink in the image can never redirect a mount onto a host path.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::runtime {

struct RootfsContext {
  const oci::Spec& spec;
  std::string rootfs;  // absolute host path
  bool in_userns = false;     // devices must be bind mounts, not mknod
  bool new_cgroupns = false;  // cgroup mounts are fresh, not binds
  // Per spec mount, a bind tree the runtime cloned before the init entered
  // the user namespace (see open_bind_sources), or -1.
  const std::vector<int>* bind_fds = nullptr;
  // The container's groups (InitConfig::cgroup_paths), or null.
  const std::map<std::string, std::string>* cgroup_paths = nullptr;
};

// Propagation, the rootfs bind, every spec mount, devices and /dev links.
// Returns an O_PATH fd of the rootfs mount for enter_rootfs.
Result<UniqueFd> prepare_rootfs(const RootfsContext& ctx);
// pivot_root (or, with no_pivot, MS_MOVE + chroot) into the rootfs.
Result<> enter_rootfs(int rootfs_fd, bool no_pivot);
// After pivot_root: sysctls, readonly and masked paths, read-only root.
Result<> finish_rootfs(const oci::Spec& spec);
// Binds the terminal's slave onto /dev/console (after pivot_root).
Result<> mount_console(const std::string& slave_path);

// Helpers shared by the rootfs files.
// The target inside the rootfs, created (as a directory, or an empty file
// when !dir) with missing parents; O_PATH.
Result<UniqueFd> ensure_in_root(int root_fd, const std::string& path, bool dir);
// A detached clone of `source` (relative to dirfd) with flags applied.
Result<UniqueFd> detached_bind(int dirfd, const std::string& source, bool recursive, unsigned long ms_flags,
                               uint64_t attr_set_recursive, uint64_t attr_clear_recursive);
// A detached clone of `source` with flags applied, attached onto target_fd.
Result<> bind_onto(const std::string& source, int target_fd, bool recursive, unsigned long ms_flags,
                   uint64_t attr_set_recursive = 0, uint64_t attr_clear_recursive = 0);
// Bind sources that only the host's root may reach (a 0700 directory)
// are closed to the container's root once the init is in its user
// namespace; as runc does, the runtime clones them beforehand, with their
// flags, and the init only attaches them. One entry per spec mount
// (empty for non-binds and for sources that fail here).
std::vector<UniqueFd> open_bind_sources(const oci::Spec& spec, const std::string& bundle);
Result<> mount_cgroups(int root_fd, const std::string& dest, unsigned long flags, bool new_cgroupns,
                       const std::map<std::string, std::string>* cgroup_paths);
Result<> create_devices(int root_fd, const oci::Spec& spec, bool in_userns);

}  // namespace berth::runtime
