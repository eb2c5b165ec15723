// The steps after pivot_root, when "/" is the container's root and plain
// paths can no longer reach the host: sysctls, readonly and masked paths,
// the read-only root, and /dev/console.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/log.hpp"
#include "runtime/rootfs.hpp"
#include "sys/mount_api.hpp"

namespace berth::runtime {
namespace {

Result<> write_sysctls(const std::map<std::string, std::string>& sysctls) {
  for (const auto& [key, value] : sysctls) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    TRY_CTX(write_knob(path, value), "sysctl " + key);
  }
  return ok();
}

Result<> readonly_path(const std::string& path) {
  auto fd = open_file(path, O_PATH);
  if (!fd) {
    if (fd.error().sys_errno() == ENOENT) return ok();
    return tl::unexpected(std::move(fd).error());
  }
  TRY_CTX(bind_onto(path, fd->get(), true, 0, MOUNT_ATTR_RDONLY), "readonly path " + path);
  return ok();
}

Result<> mask_path(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok();
    return sys_error("mask " + path);
  }
  if (S_ISDIR(st.st_mode)) {
    TRY_CTX(sys::mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k"), "mask " + path);
    return ok();
  }
  auto fd = TRY(open_file(path, O_PATH));
  // The mask is bound from the /dev/null we checked, by fd: an image's
  // /dev/null symlink (to a /proc file, say) must not become the "mask"
  // (the 2025 masked-path class).
  auto null = TRY_CTX(open_file("/dev/null", O_PATH | O_NOFOLLOW), "mask " + path);
  if (::fstat(null.get(), &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    return make_error(ErrorCategory::Conflict, "mask " + path + ": /dev/null is not the null device");
  auto tree = TRY_CTX(detached_bind(null.get(), "", false, 0, 0, 0), "mask " + path);
  TRY_CTX(sys::attach_mount(tree.get(), fd.get()), "mask " + path);
  return ok();
}

}  // namespace

Result<> finish_rootfs(const oci::Spec& spec) {
  if (spec.linux) {
    TRY(write_sysctls(spec.linux->sysctl));
    for (const auto& p : spec.linux->readonly_paths) TRY(readonly_path(p));
    for (const auto& p : spec.linux->masked_paths) TRY(mask_path(p));
  }
  for (const auto& m : spec.mounts)
    if (m.destination == "/dev" && m.type != "bind" && std::find(m.options.begin(), m.options.end(), "ro") != m.options.end()) {
      auto dev = TRY(open_file("/dev", O_PATH | O_DIRECTORY));
      TRY_CTX(sys::set_mount_attrs(dev.get(), "", false, MOUNT_ATTR_RDONLY, 0), "read-only /dev");
    }
  if (spec.root && spec.root->readonly) {
    auto root = TRY(open_file("/", O_PATH | O_DIRECTORY));
    TRY_CTX(sys::set_mount_attrs(root.get(), "", false, MOUNT_ATTR_RDONLY, 0), "read-only rootfs");
  }
  return ok();
}

// The image's /dev (when the config mounts none) may hold anything at
// /dev/console: a symlink to a /proc file the masks would then miss, or a
// device node. Whatever is there goes; the pty is bound onto a plain file
// we made, through its fd, so no path is followed after the check.
Result<> mount_console(const std::string& slave_path) {
  struct stat st;
  if (::lstat("/dev/console", &st) == 0 && !S_ISREG(st.st_mode) && ::unlink("/dev/console") != 0)
    return sys_error("remove /dev/console");
  UniqueFd file(::open("/dev/console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!file) return sys_error("create /dev/console");
  if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(ErrorCategory::Conflict, "/dev/console changed while it was set up");
  TRY_CTX(bind_onto(slave_path, file.get(), false, 0), "mount /dev/console");
  return ok();
}

}  // namespace berth::runtime
