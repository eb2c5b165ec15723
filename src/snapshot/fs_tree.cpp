#include "snapshot/fs_tree.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "base/file.hpp"
#include "sys/dir.hpp"

namespace berth::snapshot {

namespace {

Result<> copy_xattrs(int src, int dst) {
  char names[65536];
  ssize_t len = ::flistxattr(src, names, sizeof names);
  if (len < 0) return (errno == ENOTSUP) ? ok() : sys_error("list xattrs");
  std::vector<char> value(65536);
  for (ssize_t off = 0; off < len; off += static_cast<ssize_t>(strlen(names + off)) + 1) {
    const char* n = names + off;
    ssize_t vlen = ::fgetxattr(src, n, value.data(), value.size());
    if (vlen < 0) continue;
    if (::fsetxattr(dst, n, value.data(), static_cast<size_t>(vlen), 0) < 0 && errno != ENOTSUP)
      return sys_error(std::string("set xattr ") + n);
  }
  return ok();
}

// From the current offsets of both fds to the end of `src`.
Result<> copy_by_buffer(int src, int dst) {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(src, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("copy file data: read");
    if (n == 0) return ok();
    TRY_CTX(write_all(dst, std::string_view(buf, static_cast<size_t>(n))), "copy file data");
  }
}

Result<> copy_data(int src, int dst, off_t size) {
  if (::ioctl(dst, FICLONE, src) == 0) return ok();
  off_t done = 0;
  while (done < size) {
    ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr, static_cast<size_t>(size - done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Across file systems (e.g. out of an overlay mount) some kernels
      // refuse copy_file_range: copy through a buffer instead.
      if (errno == EXDEV || errno == EOPNOTSUPP || errno == EINVAL) return copy_by_buffer(src, dst);
      return sys_error("copy file data");
    }
    if (n == 0) break;
    done += n;
  }
  return ok();
}

struct Copier {
  // Hardlinked inodes already copied -> their path relative to the
  // destination root (made of real directories this copy created).
  std::map<std::pair<dev_t, ino_t>, std::string> links;
  int droot = -1;

  Result<> entry(int sdir, int ddir, const std::string& rel, const std::string& name) {
    struct stat st{};
    if (::fstatat(sdir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return sys_error("stat " + name);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto it = links.find({st.st_dev, st.st_ino});
      if (it != links.end()) {
        if (::linkat(droot, it->second.c_str(), ddir, name.c_str(), 0) < 0)
          return sys_error("link " + name);
        return ok();
      }
    }
    if (S_ISDIR(st.st_mode)) return dir(sdir, ddir, rel + name + "/", name, st);
    if (S_ISREG(st.st_mode)) {
      auto in = TRY(open_at(sdir, name, O_RDONLY | O_NOFOLLOW));
      auto out = TRY(open_at(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
      TRY_CTX(copy_data(in.get(), out.get(), st.st_size), name);
      TRY(copy_xattrs(in.get(), out.get()));
      if (::fchown(out.get(), st.st_uid, st.st_gid) < 0) return sys_error("chown " + name);
      if (::fchmod(out.get(), st.st_mode & 07777) < 0) return sys_error("chmod " + name);
      timespec ts[2] = {st.st_atim, st.st_mtim};
      ::futimens(out.get(), ts);
    } else if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX + 1];
      ssize_t n = ::readlinkat(sdir, name.c_str(), target, PATH_MAX);
      if (n < 0) return sys_error("readlink " + name);
      target[n] = 0;
      if (::symlinkat(target, ddir, name.c_str()) < 0) return sys_error("symlink " + name);
    } else {
      if (::mknodat(ddir, name.c_str(), st.st_mode, st.st_rdev) < 0) return sys_error("mknod " + name);
    }
    if (!S_ISREG(st.st_mode)) {
      if (::fchownat(ddir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return sys_error("chown " + name);
      if (!S_ISLNK(st.st_mode) && ::fchmodat(ddir, name.c_str(), st.st_mode & 07777, 0) < 0)
        return sys_error("chmod " + name);
      timespec ts[2] = {st.st_atim, st.st_mtim};
      ::utimensat(ddir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    }
    if (st.st_nlink > 1) links[{st.st_dev, st.st_ino}] = rel + name;
    return ok();
  }

  Result<> dir(int sdir, int ddir, const std::string& rel, const std::string& name,
               const struct stat& st) {
    if (::mkdirat(ddir, name.c_str(), 0700) < 0) return sys_error("mkdir " + name);
    auto s = TRY(open_at(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    auto d = TRY(open_at(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    TRY(contents(s.get(), d.get(), rel));
    return meta(s.get(), d.get(), st);
  }

  Result<> contents(int s, int d, const std::string& rel) {
    for (const auto& n : TRY(sys::list_dir(s))) TRY_CTX(entry(s, d, rel, n), "copy " + n);
    return ok();
  }

  static Result<> meta(int s, int d, const struct stat& st) {
    TRY(copy_xattrs(s, d));
    if (::fchown(d, st.st_uid, st.st_gid) < 0) return sys_error("chown directory");
    if (::fchmod(d, st.st_mode & 07777) < 0) return sys_error("chmod directory");
    timespec ts[2] = {st.st_atim, st.st_mtim};
    ::futimens(d, ts);
    return ok();
  }
};

Result<> remove_contents(int dirfd) {
  for (const auto& n : TRY(sys::list_dir(dirfd))) TRY(remove_tree_at(dirfd, n));
  return ok();
}

Result<> usage_at(int dirfd, Usage& u, std::set<std::pair<dev_t, ino_t>>& seen) {
  for (const auto& n : TRY(sys::list_dir(dirfd))) {
    struct stat st{};
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    u.inodes++;
    u.size += static_cast<int64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) {
      auto sub = TRY(open_at(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      TRY(usage_at(sub.get(), u, seen));
    }
  }
  return ok();
}

}  // namespace

Result<> remove_tree_at(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return ok();
  if (errno != EISDIR && errno != EPERM) return sys_error("remove " + name);
  auto sub = open_at(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!sub) return tl::unexpected(sub.error());
  // A read-only directory (chmod 0555) would refuse unlinks inside it.
  ::fchmod(sub->get(), 0700);
  TRY_CTX(remove_contents(sub->get()), name);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return sys_error("remove " + name);
  return ok();
}

Result<> remove_tree(const std::string& path) {
  auto slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : (slash == std::string::npos ? "." : path.substr(0, slash));
  auto dir = open_file(parent, O_RDONLY | O_DIRECTORY);
  if (!dir) return dir.error().is(ErrorCategory::NotFound) ? ok() : tl::unexpected(dir.error());
  return remove_tree_at(dir->get(), path.substr(slash + 1));
}

Result<> copy_tree(const std::string& src, const std::string& dst) {
  auto s = TRY(open_file(src, O_RDONLY | O_DIRECTORY));
  auto d = TRY(open_file(dst, O_RDONLY | O_DIRECTORY));
  Copier c;
  c.droot = d.get();
  TRY_CTX(c.contents(s.get(), d.get(), ""), "copy " + src);
  struct stat st{};
  if (::fstat(s.get(), &st) < 0) return sys_error("stat " + src);
  return Copier::meta(s.get(), d.get(), st);
}

Result<Usage> tree_usage(const std::string& path) {
  auto fd = TRY(open_file(path, O_RDONLY | O_DIRECTORY));
  Usage u;
  std::set<std::pair<dev_t, ino_t>> seen;
  TRY(usage_at(fd.get(), u, seen));
  return u;
}

}  // namespace berth::snapshot
