#include "image/write_pool.hpp"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/file.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::image::detail {

namespace {

Result<UniqueFd> create_exclusive(const FileJob& job) {
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
  mode_t mode = job.perm & 0777;
  auto fd = open_at(job.dir->get(), job.name, flags, mode);
  if (fd || fd.error().sys_errno() != EEXIST) return fd;
  // Replace what an earlier layer (or entry) left there; never follow it.
  struct stat st{};
  if (::fstatat(job.dir->get(), job.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
    TRY(snapshot::remove_tree_at(job.dir->get(), job.name));
  else if (::unlinkat(job.dir->get(), job.name.c_str(), 0) < 0 && errno != ENOENT)
    return sys_error("unlink " + job.name);
  return open_at(job.dir->get(), job.name, flags, mode);
}

}  // namespace

Result<> write_file_job(const FileJob& job, const FileWriteOptions& options) {
  auto fd = TRY(create_exclusive(job));
  TRY(write_all(fd.get(), job.data));
  if (job.size > static_cast<int64_t>(job.data.size()) && ::ftruncate(fd.get(), job.size) < 0)
    return sys_error("truncate");
  // A new file already has our uid/gid (unless its directory is setgid)
  // and perm & ~umask: most files of a root-owned layer need neither call.
  bool owned = !job.dir_setgid && job.uid == ::geteuid() && job.gid == ::getegid();
  if (options.chown && !owned && ::fchown(fd.get(), job.uid, job.gid) < 0) return sys_error("chown");
  bool exact = owned && (job.perm & ~mode_t{0777}) == 0 && (job.perm & options.umask) == 0;
  // After chown, which clears set-id bits; on our own fd only.
  if (!exact && ::fchmod(fd.get(), job.perm) < 0) return sys_error("chmod");
  for (const auto& [name, value] : job.xattrs)
    if (::fsetxattr(fd.get(), name.c_str(), value.data(), value.size(), 0) < 0 && errno != ENOTSUP &&
        !(errno == EPERM && !options.chown))
      return sys_error("set xattr " + name);
  timespec ts[2] = {job.atime, job.mtime};
  if (::futimens(fd.get(), ts) < 0) return sys_error("set times");
  return ok();
}

WritePool::WritePool(unsigned threads, size_t max_queued_bytes, FileWriteOptions options)
    : options_(options), max_bytes_(max_queued_bytes) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WritePool::~WritePool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  has_work_.notify_all();
  for (auto& t : threads_) t.join();
}

Result<> WritePool::submit(FileJob job) {
  std::unique_lock lock(mutex_);
  has_space_.wait(lock, [&] { return queued_bytes_ < max_bytes_ || error_; });
  if (error_) return tl::unexpected(*error_);
  queued_bytes_ += job.data.size();
  queue_.push_back(std::move(job));
  lock.unlock();
  has_work_.notify_one();
  return ok();
}

Result<> WritePool::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return (queue_.empty() && busy_ == 0) || error_; });
  // After an error the remaining jobs are dropped: the apply fails anyway.
  if (error_) {
    queue_.clear();
    queued_bytes_ = 0;
    idle_.wait(lock, [&] { return busy_ == 0; });
    return tl::unexpected(*error_);
  }
  return ok();
}

void WritePool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    has_work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    FileJob job = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    auto r = write_file_job(job, options_);
    lock.lock();
    --busy_;
    queued_bytes_ -= job.data.size();
    if (!r && !error_) error_ = std::move(r.error()).wrap("layer entry \"" + job.entry + "\"");
    has_space_.notify_one();
    if (queue_.empty() && busy_ == 0) idle_.notify_all();
    if (error_) idle_.notify_all(), has_space_.notify_all();
  }
}

}  // namespace berth::image::detail
