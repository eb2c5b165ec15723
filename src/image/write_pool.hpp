// Worker threads that create regular files for layer apply, so that file
// creation (the kernel's part: inode allocation, journal) overlaps with
// decompression and tar parsing, and with itself across directories.
//
// A job carries everything needed to create one file: the parent
// directory fd (resolved in the root by the applier, shared), the final
// name, the data and the metadata. Workers create it exactly as the
// applier would inline: O_CREAT|O_EXCL|O_NOFOLLOW in that directory, then
// fchown/fchmod/fsetxattr/futimens on the new fd. The applier keeps
// ordering: it drains the pool before any operation that could touch a
// path with a pending job (see Applier::before).
#pragma once

#include <sys/stat.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::image::detail {

struct FileJob {
  std::shared_ptr<UniqueFd> dir;
  bool dir_setgid = false;
  std::string name;
  std::string entry;  // for error messages
  std::string data;
  int64_t size = 0;   // apparent size (>= data.size())
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t perm = 0644;
  timespec atime{}, mtime{};
  std::vector<std::pair<std::string, std::string>> xattrs;
};

struct FileWriteOptions {
  bool chown = true;  // root and keep_owners
  mode_t umask = 022;
};

// Creates one file as described; used by the workers and inline.
Result<> write_file_job(const FileJob& job, const FileWriteOptions& options);

class WritePool {
 public:
  WritePool(unsigned threads, size_t max_queued_bytes, FileWriteOptions options);
  ~WritePool();
  WritePool(const WritePool&) = delete;
  WritePool& operator=(const WritePool&) = delete;

  // Queues a job; blocks while too many bytes are queued. Returns the
  // first worker error, if any happened so far.
  Result<> submit(FileJob job);
  // Waits until every queued job is done; returns the first error.
  Result<> drain();

 private:
  void work();

  FileWriteOptions options_;
  size_t max_bytes_;
  std::mutex mutex_;
  std::condition_variable has_work_, has_space_, idle_;
  std::deque<FileJob> queue_;
  size_t queued_bytes_ = 0;
  unsigned busy_ = 0;
  bool stopping_ = false;
  std::optional<Error> error_;
  std::vector<std::thread> threads_;
};

}  // namespace berth::image::detail
