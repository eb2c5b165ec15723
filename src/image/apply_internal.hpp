// Internals of apply.cpp, split out to keep files small.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <memory>
#include <unordered_set>

#include "base/unique_fd.hpp"
#include "image/apply.hpp"
#include "image/write_pool.hpp"

namespace berth::image::detail {

// An entry name split into clean components; refuses "..".
Result<std::vector<std::string>> clean_path(std::string_view name);
// The first `count` parts joined with '/'; "." for none (the root).
std::string join_path(const std::vector<std::string>& parts, size_t count);
Unexpected refuse(std::string_view entry, std::string_view why);
// libarchive's last error text (it may be null).
inline std::string archive_error(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

class Applier {
 public:
  Applier(int root, const ApplyOptions& options);
  // Applies one entry; the error names the entry it is about.
  Result<> entry(archive* a, archive_entry* e);
  Result<> finish();

 private:
  Result<> entry_impl(archive* a, archive_entry* e, const char* raw);
  // Orders an operation on `rel` after pending pool jobs it could touch:
  // always when it removes things, else when rel or a parent is pending.
  Result<> before(const std::string& rel, bool removes);
  Result<> drain();
  Result<> queue_regular(archive* a, archive_entry* e, const std::string& rel, const std::string& name);
  Result<UniqueFd> open_dir(const std::vector<std::string>& parts, size_t count);
  Result<int> parent_fd(const std::vector<std::string>& parts);
  Result<> make_parent(const std::string& rel, int parent, const std::string& name);
  Result<> remove_existing(int parent, const std::string& name, bool keep_dir);
  Result<> whiteout(const std::vector<std::string>& parts, const std::string& target);
  Result<> opaque(const std::vector<std::string>& parts);
  Result<> regular(archive* a, archive_entry* e, int parent, const std::string& name);
  Result<> directory(archive_entry* e, const std::vector<std::string>& parts);
  Result<> hardlink(archive_entry* e, int parent, const std::string& name);
  Result<> copy_up(const std::vector<std::string>& target, int parent, const std::string& name);
  Result<> special(archive_entry* e, int parent, const std::string& name);
  // `fresh`: a regular file just created by us with the entry's mode, in
  // the cached parent; lets the common case skip fchown/fchmod.
  Result<> metadata_fd(int fd, archive_entry* e, bool fresh = false);
  Result<> metadata_at(int parent, const std::string& name, archive_entry* e);
  Result<> xattrs(int fd, archive_entry* e);
  void invalidate(const std::string& path);

  int root_;
  const ApplyOptions& opt_;
  bool is_root_;
  std::vector<UniqueFd> lowers_;
  std::string cached_dir_ = "\x01";  // no path looks like this
  std::shared_ptr<UniqueFd> cached_fd_;
  bool cached_setgid_ = false;  // new files in a setgid dir inherit its group
  mode_t umask_ = 022;
  std::set<std::string> created_;  // paths this layer wrote (for opaque dirs)
  struct DirTime {
    std::string path;
    timespec times[2];
  };
  std::vector<DirTime> dir_times_;
  std::unique_ptr<WritePool> pool_;
  std::unordered_set<std::string> pending_;  // paths queued since the last drain
  bool pool_error_ = false;  // the error already names its entry
};

}  // namespace berth::image::detail
