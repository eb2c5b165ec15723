#include "runtime/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/mounts.hpp"
#include "runtime/mount_options.hpp"
#include "sys/mount_api.hpp"
#include "sys/openat2.hpp"

namespace berth::runtime {
namespace {

Result<> apply_propagation(int target_fd, const std::string& dest, const MountOptions& opts) {
  for (unsigned long prop : opts.propagation)
    TRY_CTX(sys::mount("", sys::fd_path(target_fd), "", prop), "propagation of " + dest);
  return ok();
}

Result<> mount_bind(int root_fd, const oci::Mount& m, const MountOptions& opts, int tree_fd) {
  struct stat st;
  if (tree_fd >= 0 ? ::fstat(tree_fd, &st) != 0 : ::stat(m.source.c_str(), &st) != 0)
    return sys_error("bind source " + m.source);
  auto target = TRY(ensure_in_root(root_fd, m.destination, S_ISDIR(st.st_mode)));
  if (tree_fd >= 0)
    TRY_CTX(sys::attach_mount(tree_fd, target.get()), "bind " + m.source);
  else
    TRY(bind_onto(m.source, target.get(), opts.is_recursive_bind(), opts.flags, opts.attr_set, opts.attr_clear));
  if (!opts.propagation.empty()) {
    auto mounted = TRY(sys::open_in_root(root_fd, m.destination, O_PATH));
    TRY(apply_propagation(mounted.get(), m.destination, opts));
  }
  return ok();
}

// Kernels refuse some fresh mounts in a user namespace (sysfs without its
// own network namespace, mqueue without its own ipc namespace); runc then
// binds the host's instead, and so do we.
bool fallback_to_bind(const oci::Mount& m, int err) {
  return err == EPERM && (m.type == "sysfs" || m.type == "mqueue");
}

// proc and sysfs on a symlink could be steered by the image onto, say,
// a path where masking would then miss them; runc refuses, so do we.
Result<> require_plain_directory(int root_fd, const oci::Mount& m) {
  if (m.type != "proc" && m.type != "sysfs") return ok();
  auto at = sys::open_in_root(root_fd, m.destination, O_PATH | O_NOFOLLOW);
  struct stat st;
  if (at && ::fstat(at->get(), &st) == 0 && !S_ISDIR(st.st_mode))
    return make_error(ErrorCategory::InvalidArgument,
                      m.destination + " must be mounted on ordinary directory");
  return ok();
}

Result<> mount_fs(int root_fd, const oci::Mount& m, const MountOptions& opts) {
  TRY(require_plain_directory(root_fd, m));
  auto target = TRY(ensure_in_root(root_fd, m.destination, true));
  unsigned long flags = opts.flags & ~static_cast<unsigned long>(MS_REC);
  // A read-only /dev is made read-only only after devices, /dev/pts and
  // /dev/console exist in it (finish_rootfs).
  if (m.destination == "/dev") flags &= ~static_cast<unsigned long>(MS_RDONLY);
  auto mounted = sys::mount(m.source, sys::fd_path(target.get()), m.type, flags, opts.data);
  if (!mounted) {
    if (!fallback_to_bind(m, mounted.error().sys_errno())) return tl::unexpected(std::move(mounted).error().wrap("mount " + m.destination));
    std::string host = m.type == "sysfs" ? "/sys" : "/dev/mqueue";
    TRY_CTX(bind_onto(host, target.get(), true, opts.flags), "mount " + m.destination);
  }
  if (!opts.propagation.empty() || opts.attr_set || opts.attr_clear) {
    auto top = TRY(sys::open_in_root(root_fd, m.destination, O_PATH));
    TRY(apply_propagation(top.get(), m.destination, opts));
    if (opts.attr_set || opts.attr_clear)
      TRY(sys::set_mount_attrs(top.get(), "", true, opts.attr_set, opts.attr_clear));
  }
  return ok();
}

Result<> mount_one(int root_fd, const RootfsContext& ctx, size_t index) {
  const oci::Mount& m = ctx.spec.mounts[index];
  MountOptions opts = parse_mount_options(m.options);
  int tree_fd = ctx.bind_fds && index < ctx.bind_fds->size() ? (*ctx.bind_fds)[index] : -1;
  if (opts.is_bind() || m.type == "bind") return mount_bind(root_fd, m, opts, tree_fd);
  if (m.type == "cgroup" || m.type == "cgroup2")
    return mount_cgroups(root_fd, m.destination, opts.flags, ctx.new_cgroupns, ctx.cgroup_paths);
  return mount_fs(root_fd, m, opts);
}

unsigned long root_propagation(const std::string& value) {
  if (value == "shared") return MS_SHARED;
  if (value == "rshared") return MS_SHARED | MS_REC;
  if (value == "slave") return MS_SLAVE;
  if (value == "private") return MS_PRIVATE;
  if (value == "rprivate") return MS_PRIVATE | MS_REC;
  if (value == "unbindable") return MS_UNBINDABLE;
  if (value == "runbindable") return MS_UNBINDABLE | MS_REC;
  return MS_SLAVE | MS_REC;  // "" and "rslave": nothing we mount leaks to the host
}

// runc sets up /dev itself unless the config binds the host's /dev in.
bool dev_is_ours(const oci::Spec& spec) {
  for (const auto& m : spec.mounts)
    if (m.destination == "/dev") return !parse_mount_options(m.options).is_bind() && m.type != "bind";
  return true;
}

// Without pivot_root the host's mounts stay in our mount namespace, only
// out of reach of the chroot. A fully visible host proc or sysfs there
// would let a nested user namespace mount a fresh, unmasked procfs (the
// kernel's mount_too_revealing check counts it), so detach every proc and
// sysfs outside the rootfs, or cover it with an empty read-only tmpfs.
Result<> hide_host_proc_and_sys() {
  std::string rootfs(PATH_MAX, '\0');
  if (::getcwd(rootfs.data(), rootfs.size()) == nullptr) return sys_error("getcwd");
  rootfs.resize(std::strlen(rootfs.c_str()));
  auto mountinfo = TRY_CTX(read_file("/proc/self/mountinfo", 16u << 20), "hide host proc and sys");
  std::vector<std::string> targets;
  for (const auto& line : split(mountinfo, '\n')) {
    auto e = cgroups::parse_mountinfo_line(line);
    if (!e || (e->fstype != "proc" && e->fstype != "sysfs")) continue;
    if (e->mountpoint == rootfs || e->mountpoint.starts_with(rootfs + "/")) continue;
    targets.push_back(e->mountpoint);
  }
  // Deepest first, so a covered parent does not hide a child still to do.
  std::sort(targets.rbegin(), targets.rend());
  for (const auto& t : targets) {
    if (::umount2(t.c_str(), MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT) continue;
    TRY_CTX(sys::mount("tmpfs", t, "tmpfs", MS_RDONLY, "size=0k"), "cover host " + t);
  }
  return ok();
}

}  // namespace

Result<UniqueFd> prepare_rootfs(const RootfsContext& ctx) {
  unsigned long prop = root_propagation(ctx.spec.linux ? ctx.spec.linux->rootfs_propagation : "");
  // Shared root propagation would make pivot_root fail; the container's
  // own mounts are made shared after they exist, as runc does.
  unsigned long first = (prop & MS_SHARED) ? (MS_SLAVE | MS_REC) : prop;
  TRY_CTX(sys::mount("", "/", "", first), "set propagation of /");
  // pivot_root needs the rootfs to be a mount point of its own.
  TRY_CTX(sys::mount(ctx.rootfs, ctx.rootfs, "", MS_BIND | MS_REC), "bind rootfs " + ctx.rootfs);
  auto root = TRY(open_file(ctx.rootfs, O_PATH | O_DIRECTORY));
  for (size_t i = 0; i < ctx.spec.mounts.size(); ++i) TRY(mount_one(root.get(), ctx, i));
  if (dev_is_ours(ctx.spec)) TRY(create_devices(root.get(), ctx.spec, ctx.in_userns));
  if (prop & MS_SHARED) TRY_CTX(sys::mount("", ctx.rootfs, "", prop), "rootfs propagation");
  return root;
}

Result<> enter_rootfs(int rootfs_fd, bool no_pivot) {
  if (::fchdir(rootfs_fd) != 0) return sys_error("chdir rootfs");
  if (!no_pivot) return sys::pivot_root_here();
  // --no-pivot (ramdisk roots, where pivot_root is impossible).
  TRY(hide_host_proc_and_sys());
  TRY(sys::mount(".", "/", "", MS_MOVE));
  if (::chroot(".") != 0) return sys_error("chroot");
  if (::chdir("/") != 0) return sys_error("chdir /");
  return ok();
}

}  // namespace berth::runtime
