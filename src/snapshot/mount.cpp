#include "snapshot/mount.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"

namespace berth::snapshot {

namespace {

// Raw syscalls: glibc's wrappers need <sys/mount.h>, which clashes with
// <linux/mount.h> where the constants live.
int sys_fsopen(const char* fs) { return static_cast<int>(::syscall(SYS_fsopen, fs, FSOPEN_CLOEXEC)); }
int sys_fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
int sys_fsmount(int fd, unsigned attrs) {
  return static_cast<int>(::syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attrs));
}
int sys_move_mount(int from, const char* target) {
  return static_cast<int>(::syscall(SYS_move_mount, from, "", AT_FDCWD, target,
                                    MOVE_MOUNT_F_EMPTY_PATH));
}
int sys_open_tree(const char* path, unsigned flags) {
  return static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, path, flags));
}
int sys_mount_setattr(int fd, mount_attr* attr) {
  return static_cast<int>(::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, attr, sizeof *attr));
}

bool has_option(const Mount& m, std::string_view opt) {
  for (const auto& o : m.options)
    if (o == opt) return true;
  return false;
}

Result<> set_string(int fs, const std::string& key, const std::string& value) {
  if (sys_fsconfig(fs, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) < 0)
    return sys_error("overlay option " + key + "=" + value.substr(0, 200));
  return ok();
}

Result<> mount_overlay(const Mount& m, const std::string& target) {
  UniqueFd fs(sys_fsopen("overlay"));
  if (!fs) return sys_error("fsopen overlay");
  unsigned attrs = 0;
  for (const auto& opt : m.options) {
    if (opt == "ro") {
      attrs |= MOUNT_ATTR_RDONLY;
      continue;
    }
    auto [key, value, has_value] = split_once(opt, '=');
    if (key == "lowerdir") {
      for (const auto& dir : split(value, ':')) {
        // lowerdir+ takes one directory per call, no length limit overall.
        if (sys_fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", dir.c_str(), 0) < 0) {
          if (errno != EINVAL) return sys_error("overlay lowerdir+ " + dir);
          TRY(set_string(fs.get(), "lowerdir", std::string(value)));  // pre-6.8 kernel
          break;
        }
      }
    } else if (has_value) {
      TRY(set_string(fs.get(), std::string(key), std::string(value)));
    } else if (sys_fsconfig(fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0) < 0) {
      return sys_error("overlay option " + opt);
    }
  }
  if (sys_fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
    return sys_error("create overlay");
  UniqueFd mnt(sys_fsmount(fs.get(), attrs));
  if (!mnt) return sys_error("fsmount overlay");
  if (sys_move_mount(mnt.get(), target.c_str()) < 0) return sys_error("move_mount " + target);
  return ok();
}

Result<> mount_bind(const Mount& m, const std::string& target) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
  if (has_option(m, "rbind")) flags |= AT_RECURSIVE;
  UniqueFd tree(sys_open_tree(m.source.c_str(), flags));
  if (!tree) return sys_error("open_tree " + m.source);
  if (has_option(m, "ro")) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (sys_mount_setattr(tree.get(), &attr) < 0) return sys_error("make bind read-only");
  }
  if (sys_move_mount(tree.get(), target.c_str()) < 0) return sys_error("move_mount " + target);
  return ok();
}

}  // namespace

Result<> mount_all(const std::vector<Mount>& mounts, const std::string& target) {
  for (const auto& m : mounts) {
    if (m.type == "overlay") TRY_CTX(mount_overlay(m, target), "mount " + target);
    else if (m.type == "bind") TRY_CTX(mount_bind(m, target), "mount " + target);
    else return make_error(ErrorCategory::InvalidArgument, "unsupported mount type " + m.type);
  }
  return ok();
}

Result<> unmount(const std::string& target) {
  constexpr int kMntDetach = 2;  // <sys/mount.h>'s MNT_DETACH
  if (::syscall(SYS_umount2, target.c_str(), kMntDetach) < 0) return sys_error("unmount " + target);
  return ok();
}

}  // namespace berth::snapshot
