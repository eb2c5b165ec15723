// A small tar writer over an fd (libarchive, pax), for export formats:
// directories, in-memory files and files streamed from another fd.
#pragma once

#include <archive.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::image {

class TarOut {
 public:
  static Result<std::unique_ptr<TarOut>> open(int fd);
  ~TarOut();
  TarOut(const TarOut&) = delete;
  TarOut& operator=(const TarOut&) = delete;

  Result<> dir(const std::string& name, int64_t mtime = 0);
  Result<> file(const std::string& name, std::string_view data, int64_t mtime = 0);
  Result<> symlink(const std::string& name, const std::string& target, int64_t mtime = 0);
  // A file of `size` bytes produced by `fill`, which gets a writer for
  // chunks and must deliver exactly `size` bytes.
  using Chunk = std::function<Result<>(std::string_view)>;
  Result<> stream(const std::string& name, int64_t size, const std::function<Result<>(const Chunk&)>& fill,
                  int64_t mtime = 0);
  Result<> close();

 private:
  TarOut(archive* a, int fd) : a_(a), fd_(fd) {}
  Result<> header(const std::string& name, unsigned type, unsigned mode, int64_t size,
                  int64_t mtime, const char* link = nullptr);
  Unexpected fail(const std::string& what);

  archive* a_;
  int fd_;
  bool closed_ = false;
};

}  // namespace berth::image
