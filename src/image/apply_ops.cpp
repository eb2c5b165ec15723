// The per-entry file operations of layer apply. Every operation works on
// a directory fd that was resolved inside the layer root and on a final
// name that is created exclusively or changed without following links.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "base/file.hpp"
#include "image/apply_internal.hpp"
#include "snapshot/fs_tree.hpp"
#include "sys/dir.hpp"
#include "sys/openat2.hpp"

namespace berth::image::detail {

namespace {

timespec entry_time(archive_entry* e, bool atime) {
  if (atime && archive_entry_atime_is_set(e))
    return {archive_entry_atime(e), archive_entry_atime_nsec(e)};
  return {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
}

Result<> pwrite_all(int fd, const char* data, size_t len, off_t off) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, data, len, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write");
    }
    data += n;
    len -= static_cast<size_t>(n);
    off += n;
  }
  return ok();
}

}  // namespace

// The process umask, read without changing it (umask(2) would race with
// other threads creating files).
static mode_t current_umask() {
  auto status = read_file("/proc/self/status");
  if (!status) return 077;
  auto pos = status->find("Umask:\t");
  if (pos == std::string::npos) return 077;
  return static_cast<mode_t>(std::strtoul(status->c_str() + pos + 7, nullptr, 8));
}

Applier::Applier(int root, const ApplyOptions& options)
    : root_(root), opt_(options), is_root_(::geteuid() == 0), umask_(current_umask()) {
  for (const auto& l : options.lowers)
    if (auto fd = open_file(l, O_PATH | O_DIRECTORY)) lowers_.push_back(std::move(*fd));
  unsigned threads = options.threads;
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  if (threads > 1)
    pool_ = std::make_unique<WritePool>(threads, 64u << 20,
                                        FileWriteOptions{is_root_ && opt_.keep_owners, umask_});
}

Result<> Applier::drain() {
  pending_.clear();
  if (!pool_) return ok();
  auto r = pool_->drain();
  if (!r) pool_error_ = true;
  return r;
}

Result<> Applier::before(const std::string& rel, bool removes) {
  if (pending_.empty()) return ok();
  if (removes || pending_.count(rel)) return drain();
  for (auto slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
    if (pending_.count(rel.substr(0, slash))) return drain();
  return ok();
}

void Applier::invalidate(const std::string& path) {
  if (cached_dir_ == path || cached_dir_.rfind(path + "/", 0) == 0) {
    cached_dir_ = "\x01";
    cached_fd_.reset();
  }
}

Result<UniqueFd> Applier::open_dir(const std::vector<std::string>& parts, size_t count) {
  if (count == 0) return open_at(root_, ".", O_RDONLY | O_DIRECTORY);
  std::string rel = join_path(parts, count);
  auto fd = sys::open_in_root(root_, rel, O_RDONLY | O_DIRECTORY);
  if (fd) return fd;
  if (fd.error().sys_errno() == ENOTDIR) return refuse(rel, "parent is not a directory");
  if (fd.error().sys_errno() != ENOENT) return tl::unexpected(fd.error());
  // Missing parent: create it (and its missing ancestors) inside the root.
  auto up = TRY(open_dir(parts, count - 1));
  const std::string& name = parts[count - 1];
  if (::mkdirat(up.get(), name.c_str(), 0755) < 0) {
    if (errno == EEXIST) return refuse(rel, "parent is a dangling or escaping symlink");
    return sys_error("mkdir " + rel);
  }
  TRY(make_parent(rel, up.get(), name));
  return open_at(up.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

Result<> Applier::make_parent(const std::string& rel, int parent, const std::string& name) {
  // In an overlay upper dir an implied parent would shadow the lower
  // directory's owner and mode; copy them from the nearest lower instead.
  for (const auto& lower : lowers_) {
    auto src = sys::open_in_root(lower.get(), rel, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    if (!src) continue;
    struct stat st{};
    if (::fstat(src->get(), &st) < 0) break;
    if (is_root_) ::fchownat(parent, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    ::fchmodat(parent, name.c_str(), st.st_mode & 07777, 0);
    dir_times_.push_back({rel, {st.st_atim, st.st_mtim}});
    break;
  }
  return ok();
}

Result<int> Applier::parent_fd(const std::vector<std::string>& parts) {
  std::string dir = join_path(parts, parts.size() - 1);
  if (dir != cached_dir_) {
    cached_fd_ = std::make_shared<UniqueFd>(TRY(open_dir(parts, parts.size() - 1)));
    cached_dir_ = dir;
    struct stat st{};
    cached_setgid_ = ::fstat(cached_fd_->get(), &st) < 0 || (st.st_mode & S_ISGID);
  }
  return cached_fd_->get();
}

Result<> Applier::remove_existing(int parent, const std::string& name, bool keep_dir) {
  struct stat st{};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? ok() : sys_error("stat " + name);
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return ok();
    return snapshot::remove_tree_at(parent, name);
  }
  if (::unlinkat(parent, name.c_str(), 0) < 0 && errno != ENOENT) return sys_error("unlink " + name);
  return ok();
}

Result<> Applier::entry(archive* a, archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (!raw) raw = archive_entry_pathname_utf8(e);
  if (!raw) return refuse("?", "unreadable name");
  auto r = entry_impl(a, e, raw);
  if (!r && !pool_error_) return tl::unexpected(std::move(r.error()).wrap("layer entry \"" + std::string(raw) + "\""));
  return r;
}

Result<> Applier::entry_impl(archive* a, archive_entry* e, const char* raw) {
  auto parts = TRY(clean_path(raw));
  auto type = archive_entry_filetype(e);
  if (parts.empty()) {
    if (type != AE_IFDIR) return refuse(raw, "the layer root must be a directory");
    TRY(drain());
    auto fd = TRY(open_at(root_, ".", O_RDONLY | O_DIRECTORY));
    TRY(metadata_fd(fd.get(), e));
    dir_times_.push_back({".", {entry_time(e, true), entry_time(e, false)}});
    return ok();
  }
  const std::string& base = parts.back();
  if (base.rfind(".wh.", 0) == 0) {
    TRY(drain());  // deletions may hit anything queued
    if (base == ".wh..wh..opq") return opaque(parts);
    if (base.rfind(".wh..wh.", 0) == 0) return ok();  // aufs bookkeeping, meaningless here
    std::string target = base.substr(4);
    if (target.empty() || target == "." || target == "..") return refuse(raw, "invalid whiteout");
    return whiteout(parts, target);
  }
  std::string rel = join_path(parts, parts.size());
  bool link = archive_entry_hardlink(e) != nullptr;
  TRY(before(rel, link));  // a hardlink target may still be queued
  invalidate(rel);
  created_.insert(rel);
  if (type == AE_IFDIR) return directory(e, parts);
  int parent = TRY(parent_fd(parts));
  if (link) return hardlink(e, parent, base);
  switch (type) {
    case AE_IFREG:
      if (pool_ && archive_entry_sparse_count(e) == 0 && archive_entry_size(e) <= (8 << 20))
        return queue_regular(a, e, rel, base);
      return regular(a, e, parent, base);
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (!target) target = archive_entry_symlink_utf8(e);
      if (!target) return refuse(raw, "unreadable symlink target");
      if (::symlinkat(target, parent, base.c_str()) < 0) {
        if (errno != EEXIST) return sys_error("symlink " + rel);
        TRY(remove_existing(parent, base, false));
        if (::symlinkat(target, parent, base.c_str()) < 0) return sys_error("symlink " + rel);
      }
      return metadata_at(parent, base, e);
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: return special(e, parent, base);
    case AE_IFSOCK: return ok();  // sockets are not content
    default: return refuse(raw, "unknown entry type");
  }
}

Result<> Applier::regular(archive* a, archive_entry* e, int parent, const std::string& name) {
  int64_t size = archive_entry_size(e);
  if (size < 0 || static_cast<uint64_t>(size) > opt_.limits.max_file_size)
    return refuse(archive_entry_pathname(e), "file larger than the limit");
  mode_t mode = archive_entry_perm(e) & 0777;
  auto fd = open_at(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  if (!fd && fd.error().sys_errno() == EEXIST) {
    TRY(remove_existing(parent, name, false));
    fd = open_at(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  }
  if (!fd) return tl::unexpected(fd.error());
  const void* data = nullptr;
  size_t len = 0;
  la_int64_t off = 0;
  int64_t end = 0;
  int rc;
  while ((rc = archive_read_data_block(a, &data, &len, &off)) == ARCHIVE_OK) {
    // Sparse entries report blocks at offsets; the gaps stay holes.
    if (off < 0 || static_cast<uint64_t>(off) + len > opt_.limits.max_file_size)
      return refuse(archive_entry_pathname(e), "file data beyond the size limit");
    TRY(pwrite_all(fd->get(), static_cast<const char*>(data), len, off));
    end = off + static_cast<int64_t>(len);
  }
  if (rc != ARCHIVE_EOF)
    return make_error(ErrorCategory::InvalidArgument,
                      "corrupt file data: " + archive_error(a));
  if (size > end && ::ftruncate(fd->get(), size) < 0) return sys_error("truncate " + name);
  return metadata_fd(fd->get(), e, true);
}

Result<> Applier::queue_regular(archive* a, archive_entry* e, const std::string& rel,
                               const std::string& name) {
  FileJob job;
  job.dir = cached_fd_;
  job.dir_setgid = cached_setgid_;
  job.name = name;
  job.entry = archive_entry_pathname(e);
  job.size = archive_entry_size(e);
  job.data.reserve(static_cast<size_t>(job.size));
  const void* data = nullptr;
  size_t len = 0;
  la_int64_t off = 0;
  int rc;
  while ((rc = archive_read_data_block(a, &data, &len, &off)) == ARCHIVE_OK) {
    if (off != static_cast<la_int64_t>(job.data.size()) || job.data.size() + len > static_cast<size_t>(job.size))
      return refuse(job.entry, "file data does not match its header");
    job.data.append(static_cast<const char*>(data), len);
  }
  if (rc != ARCHIVE_EOF) return make_error(ErrorCategory::InvalidArgument, "corrupt file data: " + archive_error(a));
  job.uid = static_cast<uid_t>(archive_entry_uid(e));
  job.gid = static_cast<gid_t>(archive_entry_gid(e));
  job.perm = archive_entry_perm(e) & 07777;
  job.atime = entry_time(e, true);
  job.mtime = entry_time(e, false);
  if (archive_entry_xattr_reset(e) > 0) {
    const char* n = nullptr;
    const void* v = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &n, &v, &size) == ARCHIVE_OK)
      if (std::string_view(n).rfind("trusted.overlay.", 0) != 0)  // never forged by a layer
        job.xattrs.emplace_back(n, std::string(static_cast<const char*>(v), size));
  }
  pending_.insert(rel);
  auto r = pool_->submit(std::move(job));
  if (!r) pool_error_ = true;
  return r;
}

Result<> Applier::directory(archive_entry* e, const std::vector<std::string>& parts) {
  int parent = TRY(parent_fd(parts));
  const std::string& name = parts.back();
  TRY(remove_existing(parent, name, true));
  if (::mkdirat(parent, name.c_str(), 0700) < 0 && errno != EEXIST)
    return sys_error("mkdir " + name);
  auto fd = TRY(open_at(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  TRY(metadata_fd(fd.get(), e));
  dir_times_.push_back({join_path(parts, parts.size()), {entry_time(e, true), entry_time(e, false)}});
  return ok();
}

Result<> Applier::hardlink(archive_entry* e, int parent, const std::string& name) {
  const char* raw = archive_entry_hardlink(e);
  auto target = TRY(clean_path(raw));
  if (target.empty()) return refuse(raw, "hardlink to the layer root");
  // Resolved inside the root: "/etc/passwd" is the layer's, never the host's.
  auto tdir = sys::open_in_root(root_, join_path(target, target.size() - 1), O_PATH | O_DIRECTORY);
  TRY(remove_existing(parent, name, false));
  if (tdir && ::linkat(tdir->get(), target.back().c_str(), parent, name.c_str(), 0) == 0) return ok();
  int err = tdir ? errno : tdir.error().sys_errno();
  if (err == ENOENT && !lowers_.empty()) return copy_up(target, parent, name);
  return sys_error("hardlink to " + std::string(raw), err);
}

Result<> Applier::copy_up(const std::vector<std::string>& target, int parent,
                          const std::string& name) {
  std::string rel = join_path(target, target.size());
  for (const auto& lower : lowers_) {
    auto src = sys::open_in_root(lower.get(), rel, O_RDONLY | O_NOFOLLOW);
    if (!src) continue;
    struct stat st{};
    if (::fstat(src->get(), &st) < 0 || !S_ISREG(st.st_mode))
      return refuse(rel, "hardlink target in a lower layer is not a regular file");
    auto dst = TRY(open_at(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
    for (off_t done = 0; done < st.st_size;) {
      ssize_t n = ::copy_file_range(src->get(), nullptr, dst.get(), nullptr,
                                    static_cast<size_t>(st.st_size - done), 0);
      if (n <= 0) return sys_error("copy up " + rel);
      done += n;
    }
    if (is_root_) ::fchown(dst.get(), st.st_uid, st.st_gid);
    ::fchmod(dst.get(), st.st_mode & 07777);
    timespec ts[2] = {st.st_atim, st.st_mtim};
    ::futimens(dst.get(), ts);
    return ok();
  }
  return sys_error("hardlink to " + rel, ENOENT);
}

Result<> Applier::special(archive_entry* e, int parent, const std::string& name) {
  auto type = archive_entry_filetype(e);
  if (type != AE_IFIFO && !opt_.allow_devices)
    return refuse(archive_entry_pathname(e), "device nodes are not allowed");
  TRY(remove_existing(parent, name, false));
  mode_t mode = static_cast<mode_t>(type) | (archive_entry_perm(e) & 0777);
  if (::mknodat(parent, name.c_str(), mode, archive_entry_rdev(e)) < 0)
    return sys_error("mknod " + name);
  return metadata_at(parent, name, e);
}

Result<> Applier::metadata_fd(int fd, archive_entry* e, bool fresh) {
  auto uid = static_cast<uid_t>(archive_entry_uid(e));
  auto gid = static_cast<gid_t>(archive_entry_gid(e));
  mode_t perm = archive_entry_perm(e) & 07777;
  // A file we just created already has our uid/gid (unless the directory
  // is setgid) and perm & ~umask: most files of a root-owned layer need
  // neither call.
  bool owned = fresh && !cached_setgid_ && uid == ::geteuid() && gid == ::getegid();
  if (is_root_ && opt_.keep_owners && !owned && ::fchown(fd, uid, gid) < 0) return sys_error("chown");
  bool exact = fresh && owned && (perm & ~mode_t{0777}) == 0 && (perm & umask_) == 0;
  // After chown, which clears set-id bits; applied to our own fd only.
  if (!exact && ::fchmod(fd, perm) < 0) return sys_error("chmod");
  TRY(xattrs(fd, e));
  if (archive_entry_filetype(e) != AE_IFDIR) {
    timespec ts[2] = {entry_time(e, true), entry_time(e, false)};
    if (::futimens(fd, ts) < 0) return sys_error("set times");
  }
  return ok();
}

Result<> Applier::metadata_at(int parent, const std::string& name, archive_entry* e) {
  if (is_root_ && opt_.keep_owners &&
      ::fchownat(parent, name.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) < 0)
    return sys_error("chown " + name);
  // Only this applier writes the tree, and it just made this non-symlink
  // node, so fchmodat cannot be redirected.
  if (archive_entry_filetype(e) != AE_IFLNK &&
      ::fchmodat(parent, name.c_str(), archive_entry_perm(e) & 07777, 0) < 0)
    return sys_error("chmod " + name);
  timespec ts[2] = {entry_time(e, true), entry_time(e, false)};
  ::utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  return ok();
}

Result<> Applier::xattrs(int fd, archive_entry* e) {
  if (archive_entry_xattr_reset(e) == 0) return ok();
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    std::string_view n = name;
    // A layer must not forge overlay metadata (opaque, redirect, ...).
    if (n.rfind("trusted.overlay.", 0) == 0) continue;
    if (::fsetxattr(fd, name, value, size, 0) < 0) {
      if (errno == ENOTSUP || (errno == EPERM && !is_root_)) continue;
      return sys_error("set xattr " + std::string(n));
    }
  }
  return ok();
}

Result<> Applier::whiteout(const std::vector<std::string>& parts, const std::string& target) {
  std::vector<std::string> victim(parts.begin(), parts.end() - 1);
  victim.push_back(target);
  std::string rel = join_path(victim, victim.size());
  invalidate(rel);
  if (opt_.whiteouts == snapshot::WhiteoutStyle::Delete) {
    auto dir = sys::open_in_root(root_, join_path(victim, victim.size() - 1), O_RDONLY | O_DIRECTORY);
    if (!dir) return dir.error().sys_errno() == ENOENT ? ok() : tl::unexpected(dir.error());
    return snapshot::remove_tree_at(dir->get(), target);
  }
  int parent = TRY(parent_fd(victim));
  TRY(remove_existing(parent, target, false));
  if (::mknodat(parent, target.c_str(), S_IFCHR, makedev(0, 0)) < 0)
    return sys_error("whiteout " + rel);
  return ok();
}

Result<> Applier::opaque(const std::vector<std::string>& parts) {
  std::string dir = join_path(parts, parts.size() - 1);
  if (opt_.whiteouts == snapshot::WhiteoutStyle::Overlay) {
    std::vector<std::string> self(parts.begin(), parts.end() - 1);
    auto fd = TRY(open_dir(self, self.size()));
    if (::fsetxattr(fd.get(), "trusted.overlay.opaque", "y", 1, 0) < 0)
      return sys_error("mark " + dir + " opaque");
    return ok();
  }
  auto fd = sys::open_in_root(root_, dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error().sys_errno() == ENOENT ? ok() : tl::unexpected(fd.error());
  cached_dir_ = "\x01";
  cached_fd_.reset();
  // Everything below that an earlier layer put there goes; what this
  // layer already wrote stays.
  for (const auto& child : TRY(sys::list_dir(fd->get()))) {
    std::string rel = dir == "." ? child : dir + "/" + child;
    if (!created_.count(rel)) TRY(snapshot::remove_tree_at(fd->get(), child));
  }
  return ok();
}

Result<> Applier::finish() {
  TRY(drain());
  // Directory times last: creating children changed them.
  for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
    auto fd = it->path == "."
                  ? open_at(root_, ".", O_RDONLY | O_DIRECTORY)
                  : sys::open_in_root(root_, it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
                                      RESOLVE_NO_SYMLINKS);
    if (fd) ::futimens(fd->get(), it->times);
  }
  return ok();
}

}  // namespace berth::image::detail
