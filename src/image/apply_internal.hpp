// Internals of apply.cpp, split out to keep files small.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"
#include "image/apply.hpp"

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
  Result<> entry(archive* a, archive_entry* e);
  Result<> finish();

 private:
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
  Result<> metadata_fd(int fd, archive_entry* e);
  Result<> metadata_at(int parent, const std::string& name, archive_entry* e);
  Result<> xattrs(int fd, archive_entry* e);
  void invalidate(const std::string& path);

  int root_;
  const ApplyOptions& opt_;
  bool is_root_;
  std::vector<UniqueFd> lowers_;
  std::string cached_dir_ = "\x01";  // no path looks like this
  UniqueFd cached_fd_;
  std::set<std::string> created_;  // paths this layer wrote (for opaque dirs)
  struct DirTime {
    std::string path;
    timespec times[2];
  };
  std::vector<DirTime> dir_times_;
  std::vector<char> buf_;
};

}  // namespace berth::image::detail
