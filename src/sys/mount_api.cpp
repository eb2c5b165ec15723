#include "sys/mount_api.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace berth::sys {

namespace {
const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }
}  // namespace

Result<> mount(const std::string& source, const std::string& target, const std::string& type,
               unsigned long flags, const std::string& data) {
  if (::mount(or_null(source), target.c_str(), or_null(type), flags, or_null(data)) != 0)
    return sys_error("mount " + (type.empty() ? source : type) + " on " + target);
  return ok();
}

Result<> umount(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) != 0) return sys_error("umount " + target);
  return ok();
}

Result<UniqueFd> new_filesystem(const std::string& fstype, const std::string& source,
                                const std::vector<std::pair<std::string, std::string>>& options,
                                unsigned int mount_attrs) {
  UniqueFd fs(::fsopen(fstype.c_str(), FSOPEN_CLOEXEC));
  if (!fs) return sys_error("fsopen " + fstype);
  if (!source.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0)
    return sys_error("fsconfig " + fstype + " source");
  for (const auto& [key, value] : options) {
    int rc = value.empty() ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                           : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
    if (rc != 0) return sys_error("fsconfig " + fstype + " " + key);
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return sys_error("create " + fstype + " superblock");
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, mount_attrs));
  if (!mnt) return sys_error("fsmount " + fstype);
  return mnt;
}

Result<UniqueFd> clone_tree(int dirfd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  UniqueFd fd(::open_tree(dirfd, path.c_str(), flags));
  if (!fd) return sys_error("open_tree " + path);
  return fd;
}

Result<> attach_mount(int mount_fd, int target_fd) {
  if (::move_mount(mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sys_error("move_mount");
  return ok();
}

Result<> set_mount_attrs(int dirfd, const std::string& path, bool recursive, uint64_t set,
                         uint64_t clear, uint64_t propagation) {
  mount_attr attr{};
  attr.attr_set = set;
  attr.attr_clr = clear;
  attr.propagation = propagation;
  unsigned flags = (recursive ? AT_RECURSIVE : 0) | (path.empty() ? AT_EMPTY_PATH : 0);
  if (::mount_setattr(dirfd, path.c_str(), flags, &attr, sizeof attr) != 0)
    return sys_error("mount_setattr " + (path.empty() ? fd_path(dirfd) : path));
  return ok();
}

Result<> pivot_root_here() {
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error("pivot_root");
  // The old root is now stacked under the new one at "/"; make its
  // propagation private first so the detach cannot reach the host.
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return sys_error("make old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) return sys_error("detach old root");
  if (::chdir("/") != 0) return sys_error("chdir /");
  return ok();
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace berth::sys
