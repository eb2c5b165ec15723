// HostContainerService: the container's files for `docker cp` (archive
// stat/get/put), `docker export` and `docker diff`. Everything happens
// through a directory fd on the rootfs: the running container's mounted
// rootfs, or for a stopped one its snapshot mounted on a private
// mountpoint and detached at once (the fd keeps it alive, nothing is left
// mounted). Paths resolve with openat2 RESOLVE_IN_ROOT.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "base/file.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "engine/container_config.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "image/apply.hpp"
#include "image/changes.hpp"
#include "snapshot/mount.hpp"
#include "sys/dir.hpp"
#include "sys/openat2.hpp"

namespace berth::engine {
namespace {

Unexpected bad_path(const std::string& path, const std::string& why) {
  return make_error(ErrorCategory::InvalidArgument, "invalid path \"" + path + "\": " + why);
}

Result<> check_path(const std::string& path) {
  if (path.empty()) return bad_path(path, "path is empty");
  if (path.find('\0') != std::string::npos) return bad_path(path, "path contains a NUL byte");
  if (path.size() > 4096) return bad_path(path.substr(0, 64) + "...", "path is too long");
  return ok();
}

// A resolved path: the directory that holds it and the final name in it
// ("." when the path itself is to be followed, e.g. "/" or "dir/.").
struct Resolved {
  UniqueFd dir;
  std::string name;
  std::string base;  // what tar entries are named after
};

Result<Resolved> resolve(int root, const std::string& path) {
  TRY(check_path(path));
  std::string p = path;
  bool follow = p.ends_with("/") || p.ends_with("/.") || p == ".";
  while (p.size() > 1 && (p.ends_with("/") || p.ends_with("/."))) p.erase(p.size() - (p.ends_with("/") ? 1 : 2));
  auto slash = p.rfind('/');
  std::string parent = slash == std::string::npos ? "/" : p.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? p : p.substr(slash + 1);
  Resolved r;
  auto not_found = [&](const Error& e) -> Unexpected {
    if (e.sys_errno() == ENOENT || e.sys_errno() == ENOTDIR)
      return make_error(ErrorCategory::NotFound, "Could not find the file " + path + " in container");
    return tl::unexpected(e);
  };
  if (name.empty() || name == "." || name == ".." || follow) {
    auto fd = sys::open_in_root(root, p.empty() ? "/" : p, O_PATH | O_DIRECTORY);
    if (!fd) {
      // "file/." of a non-directory: Docker's "not a directory".
      if (fd.error().sys_errno() == ENOTDIR) return make_error(ErrorCategory::InvalidArgument, "not a directory: " + path);
      return not_found(fd.error());
    }
    r.dir = std::move(*fd);
    r.name = ".";
    r.base = name.empty() || name == "." || name == ".." ? "/" : name;
    return r;
  }
  auto dir = sys::open_in_root(root, parent, O_PATH | O_DIRECTORY);
  if (!dir) return not_found(dir.error());
  r.dir = std::move(*dir);
  r.name = name;
  r.base = name;
  struct stat st;
  if (::fstatat(r.dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return not_found(Error(ErrorCategory::Internal, "stat " + path, errno));
  return r;
}

std::string rfc3339(const timespec& ts) {
  char buf[64];
  tm t{};
  ::gmtime_r(&ts.tv_sec, &t);
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

// Go's os.FileMode bits, which the CLI decodes from the path stat.
uint32_t go_mode(mode_t m) {
  uint32_t mode = m & 0777;
  if (S_ISDIR(m)) mode |= 1u << 31;
  if (S_ISLNK(m)) mode |= 1u << 27;
  if (S_ISBLK(m)) mode |= 1u << 26;
  if (S_ISCHR(m)) mode |= (1u << 26) | (1u << 21);
  if (S_ISFIFO(m)) mode |= 1u << 25;
  if (S_ISSOCK(m)) mode |= 1u << 24;
  if (m & S_ISUID) mode |= 1u << 23;
  if (m & S_ISGID) mode |= 1u << 22;
  if (m & S_ISVTX) mode |= 1u << 20;
  return mode;
}

std::string read_link(int dir, const std::string& name) {
  char buf[4096];
  ssize_t n = ::readlinkat(dir, name.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Streams a tree into a tar: every entry opened relative to its parent's
// fd with O_NOFOLLOW, so nothing outside the rootfs can be reached.
class TarWriter {
 public:
  explicit TarWriter(int fd) : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_);
    archive_write_open_fd(a_, fd);
  }
  ~TarWriter() { archive_write_free(a_); }

  Result<> add(int dir, const std::string& name, const std::string& entry_name) {
    struct stat st;
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return ok();  // removed while we walk
      return sys_error("stat " + entry_name);
    }
    archive_entry* e = archive_entry_new();
    auto free_entry = ScopeGuard([&] { archive_entry_free(e); });
    archive_entry_copy_stat(e, &st);
    archive_entry_set_pathname(e, entry_name.c_str());
    if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e, read_link(dir, name).c_str());
    if (!S_ISREG(st.st_mode)) archive_entry_set_size(e, 0);
    UniqueFd fd;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
      int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
      fd = UniqueFd(::openat(dir, name.c_str(), flags));
      if (!fd) return sys_error("open " + entry_name);
    }
    if (archive_write_header(a_, e) != ARCHIVE_OK) return fail();
    if (S_ISREG(st.st_mode)) TRY(copy_data(fd.get(), entry_name));
    if (S_ISDIR(st.st_mode)) {
      for (const auto& child : TRY(sys::list_dir(fd.get())))
        TRY(add(fd.get(), child, entry_name == "." ? child : (entry_name.ends_with("/") ? entry_name : entry_name + "/") + child));
    }
    return ok();
  }

  Result<> close() {
    if (archive_write_close(a_) != ARCHIVE_OK) return fail();
    return ok();
  }

 private:
  Result<> copy_data(int fd, const std::string& name) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("read " + name);
      if (n == 0) return ok();
      if (archive_write_data(a_, buf, static_cast<size_t>(n)) < 0) return fail();
    }
  }
  Unexpected fail() {
    const char* msg = archive_error_string(a_);
    return make_error(ErrorCategory::Unavailable, std::string("write tar: ") + (msg ? msg : "failed"));
  }
  archive* a_;
};

}  // namespace

Result<UniqueFd> HostContainerService::open_rootfs(const std::shared_ptr<Entry>& e) {
  Container c;
  bool running;
  {
    std::lock_guard lock(mu_);
    c = e->c;
    running = e->c.state.running() && e->monitor_ready;
  }
  if (running) return open_file(c.dir + "/rootfs", O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::unique_lock db_lock(db_mu_);
  auto mounts = TRY(o_.stores->snapshots->mounts(snapshot_key(c.id)));
  db_lock.unlock();
  char tmpl[] = "archive-XXXXXX";
  std::string mnt = c.dir + "/" + tmpl;
  if (!::mkdtemp(mnt.data())) return sys_error("mkdtemp " + mnt);
  auto drop_dir = ScopeGuard([&] { ::rmdir(mnt.c_str()); });
  TRY_CTX(snapshot::mount_all(mounts, mnt), "mount container rootfs");
  auto fd = open_file(mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
  ::umount2(mnt.c_str(), MNT_DETACH);  // the fd keeps the tree; no mount is left behind
  return fd;
}

Result<PathStat> HostContainerService::archive_stat(const std::string& ref, const std::string& path) {
  auto root = TRY(open_rootfs(TRY(find(ref))));
  auto r = TRY(resolve(root.get(), path));
  struct stat st;
  if (::fstatat(r.dir.get(), r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return sys_error("stat " + path);
  PathStat ps;
  ps.name = r.base;
  ps.size = st.st_size;
  ps.mode = go_mode(st.st_mode);
  ps.mtime = rfc3339(st.st_mtim);
  if (S_ISLNK(st.st_mode)) ps.link_target = read_link(r.dir.get(), r.name);
  return ps;
}

Result<> HostContainerService::archive_get(const std::string& ref, const std::string& path, int out_fd) {
  auto root = TRY(open_rootfs(TRY(find(ref))));
  auto r = TRY(resolve(root.get(), path));
  // Opening "." of an O_PATH dir for reading needs a real fd.
  UniqueFd dir = r.name == "." ? TRY(open_file("/proc/self/fd/" + std::to_string(r.dir.get()), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
                               : std::move(r.dir);
  TarWriter tar(out_fd);
  TRY(tar.add(dir.get(), r.name, r.base == "/" ? "." : r.base));
  return tar.close();
}

Result<> HostContainerService::archive_put(const std::string& ref, const std::string& path, int in_fd,
                                           bool no_overwrite_dir_non_dir) {
  auto e = TRY(find(ref));
  {
    std::lock_guard lock(mu_);
    auto settings = run_settings(e->c);
    if (e->c.state.running() && settings && settings->readonly_rootfs)
      return make_error(ErrorCategory::PermissionDenied, "container rootfs is marked read-only");
  }
  (void)no_overwrite_dir_non_dir;  // apply_layer never replaces a directory with a file
  auto root = TRY(open_rootfs(e));
  TRY(check_path(path));
  auto target = sys::open_in_root(root.get(), path, O_RDONLY | O_DIRECTORY);
  if (!target) {
    if (target.error().sys_errno() == ENOENT) return make_error(ErrorCategory::NotFound, "Could not find the file " + path + " in container " + ref);
    if (target.error().sys_errno() == ENOTDIR) return make_error(ErrorCategory::InvalidArgument, "extraction point is not a directory");
    return tl::unexpected(target.error());
  }
  image::ApplyOptions opts;
  opts.threads = 1;
  auto applied = image::apply_layer(target->get(), in_fd, opts);
  if (!applied) {
    const auto& err = applied.error();
    ErrorCategory cat = err.category() == ErrorCategory::Internal ? ErrorCategory::Internal : ErrorCategory::InvalidArgument;
    return make_error(cat, "extract archive into " + path + ": " + err.to_string());
  }
  return ok();
}

Result<> HostContainerService::export_rootfs(const std::string& ref, int out_fd) {
  auto root = TRY(open_rootfs(TRY(find(ref))));
  auto dir = TRY(open_file("/proc/self/fd/" + std::to_string(root.get()), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  TarWriter tar(out_fd);
  for (const auto& child : TRY(sys::list_dir(dir.get()))) TRY(tar.add(dir.get(), child, child));
  return tar.close();
}

Result<std::vector<ChangeItem>> HostContainerService::changes(const std::string& ref) {
  auto e = TRY(find(ref));
  std::string id = e->c.id;
  std::unique_lock db_lock(db_mu_);
  auto source = TRY(o_.stores->snapshots->diff_source(snapshot_key(id)));
  db_lock.unlock();
  std::vector<ChangeItem> out;
  for (const auto& ch : TRY(image::compute_changes(source))) out.push_back({ch.path, static_cast<int>(ch.kind)});
  return out;
}

}  // namespace berth::engine
