// The steps after pivot_root, when "/" is the container's root and plain
// paths can no longer reach the host: sysctls, readonly and masked paths,
// the read-only root, and /dev/console.
#include <fcntl.h>
#include <sys/stat.h>
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
  TRY_CTX(bind_onto("/dev/null", fd.get(), false, 0), "mask " + path);
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

Result<> mount_console(const std::string& slave_path) {
  int fd = ::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) return sys_error("create /dev/console");
  if (fd >= 0) ::close(fd);
  TRY_CTX(sys::mount(slave_path, "/dev/console", "", MS_BIND), "mount /dev/console");
  return ok();
}

}  // namespace berth::runtime
