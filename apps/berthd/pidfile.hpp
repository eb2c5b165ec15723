// The daemon's pid file, as dockerd keeps it: refuses to start when the
// pid in an existing file belongs to a live process; removed on exit.
#pragma once

#include <string>

#include "base/error.hpp"

namespace berth::berthd {

class PidFile {
 public:
  static Result<PidFile> create(const std::string& path);
  PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  PidFile& operator=(PidFile&&) = delete;
  PidFile(const PidFile&) = delete;
  ~PidFile();

 private:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace berth::berthd
