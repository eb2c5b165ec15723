// Path and bind helpers for rootfs setup.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/mount_options.hpp"
#include "runtime/rootfs.hpp"
#include "sys/mount_api.hpp"
#include "sys/openat2.hpp"

namespace berth::runtime {

namespace {

// Walks `path` component by component from the rootfs, creating what is
// missing. A symlink (even a dangling one) is followed as the kernel
// would inside the root: its target is read and resolved from the root
// (absolute) or from its directory (relative), so it can never lead out.
Result<UniqueFd> create_in_root(int root_fd, const std::string& path, bool dir, int depth) {
  if (depth > 40) return make_error(ErrorCategory::InvalidArgument, "too many symlinks resolving " + path);
  std::vector<std::string> parts;
  for (auto& p : split(path, '/'))
    if (!p.empty() && p != ".") parts.push_back(p);
  std::string resolved;  // symlink-free, relative to the root
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "..") {
      resolved = resolved.substr(0, resolved.empty() ? 0 : resolved.rfind('/'));
      continue;
    }
    auto parent = TRY(sys::open_in_root(root_fd, resolved.empty() ? "/" : resolved, O_PATH | O_DIRECTORY));
    const char* name = parts[i].c_str();
    struct stat st;
    if (::fstatat(parent.get(), name, &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0) {
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = ::readlinkat(parent.get(), name, target, sizeof target - 1);
        if (n < 0) return sys_error("readlink " + resolved + "/" + parts[i]);
        std::string link(target, static_cast<size_t>(n));
        std::string rest;
        for (size_t j = i + 1; j < parts.size(); ++j) rest += "/" + parts[j];
        std::string next = (link[0] == '/' ? link : resolved + "/" + link) + rest;
        return create_in_root(root_fd, next, dir, depth + 1);
      }
    } else if (errno != ENOENT) {
      return sys_error("stat " + resolved + "/" + parts[i]);
    } else if (i + 1 == parts.size() && !dir) {
      int fd = ::openat(parent.get(), name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST) return sys_error("create " + resolved + "/" + parts[i]);
      if (fd >= 0) ::close(fd);
    } else if (::mkdirat(parent.get(), name, 0755) != 0 && errno != EEXIST) {
      return sys_error("mkdir " + resolved + "/" + parts[i]);
    }
    resolved += "/" + parts[i];
  }
  return sys::open_in_root(root_fd, resolved.empty() ? "/" : resolved, O_PATH);
}

}  // namespace

Result<UniqueFd> ensure_in_root(int root_fd, const std::string& path, bool dir) {
  auto existing = sys::open_in_root(root_fd, path, O_PATH);
  if (existing || existing.error().sys_errno() != ENOENT) return existing;
  return create_in_root(root_fd, path, dir, 0);
}

namespace {
// MS_* flags that mount_setattr expresses as MOUNT_ATTR_*.
uint64_t attrs_from_flags(unsigned long flags) {
  uint64_t attrs = 0;
  if (flags & MS_RDONLY) attrs |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) attrs |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME) attrs |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOATIME) attrs |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME) attrs |= MOUNT_ATTR_STRICTATIME;
  return attrs;
}
}  // namespace

Result<UniqueFd> detached_bind(int dirfd, const std::string& source, bool recursive, unsigned long ms_flags,
                               uint64_t attr_set_recursive, uint64_t attr_clear_recursive) {
  // open_tree + mount_setattr: the clone gets its flags before it becomes
  // visible, and flags locked by a user namespace are only ever added to,
  // never cleared by accident (the old remount dance).
  auto tree = TRY_CTX(sys::clone_tree(dirfd, source, recursive), "bind " + source);
  uint64_t attrs = attrs_from_flags(ms_flags);
  if (attrs != 0) TRY_CTX(sys::set_mount_attrs(tree.get(), "", false, attrs, 0), "bind " + source);
  if (attr_set_recursive || attr_clear_recursive)
    TRY_CTX(sys::set_mount_attrs(tree.get(), "", true, attr_set_recursive, attr_clear_recursive),
            "bind " + source);
  return tree;
}

Result<> bind_onto(const std::string& source, int target_fd, bool recursive, unsigned long ms_flags,
                   uint64_t attr_set_recursive, uint64_t attr_clear_recursive) {
  auto tree = TRY(detached_bind(AT_FDCWD, source, recursive, ms_flags, attr_set_recursive, attr_clear_recursive));
  TRY_CTX(sys::attach_mount(tree.get(), target_fd), "bind " + source);
  return ok();
}

std::vector<UniqueFd> open_bind_sources(const oci::Spec& spec, const std::string& bundle) {
  std::vector<UniqueFd> out(spec.mounts.size());
  auto bundle_fd = open_file(bundle, O_PATH | O_DIRECTORY);
  if (!bundle_fd) return out;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& m = spec.mounts[i];
    MountOptions opts = parse_mount_options(m.options);
    if (!opts.is_bind() && m.type != "bind") continue;
    // A source we cannot clone here is left to the init, which reports it.
    auto tree = detached_bind(bundle_fd->get(), m.source, opts.is_recursive_bind(), opts.flags, opts.attr_set,
                              opts.attr_clear);
    if (tree) out[i] = std::move(*tree);
  }
  return out;
}

}  // namespace berth::runtime
