#include "image/tar_out.hpp"

#include <archive_entry.h>

#include "base/file.hpp"

namespace berth::image {

namespace {

la_ssize_t write_cb(archive* a, void* data, const void* buf, size_t n) {
  int fd = *static_cast<int*>(data);
  if (!write_all(fd, std::string_view(static_cast<const char*>(buf), n))) {
    archive_set_error(a, errno, "write failed");
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

}  // namespace

Result<std::unique_ptr<TarOut>> TarOut::open(int fd) {
  archive* a = archive_write_new();
  std::unique_ptr<TarOut> out(new TarOut(a, fd));
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open(a, &out->fd_, nullptr, write_cb, nullptr) != ARCHIVE_OK)
    return out->fail("open tar output");
  return out;
}

TarOut::~TarOut() {
  if (!closed_) archive_write_close(a_);
  archive_write_free(a_);
}

Unexpected TarOut::fail(const std::string& what) {
  const char* s = archive_error_string(a_);
  return make_error(ErrorCategory::Internal, what + ": " + (s ? s : "libarchive error"));
}

Result<> TarOut::header(const std::string& name, unsigned type, unsigned mode, int64_t size,
                        int64_t mtime, const char* link) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, mode);
  archive_entry_set_size(e, size);
  archive_entry_set_mtime(e, mtime, 0);
  if (link) archive_entry_set_symlink(e, link);
  int rc = archive_write_header(a_, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK) return fail("write " + name);
  return ok();
}

Result<> TarOut::dir(const std::string& name, int64_t mtime) {
  return header(name, AE_IFDIR, 0755, 0, mtime);
}

Result<> TarOut::file(const std::string& name, std::string_view data, int64_t mtime) {
  TRY(header(name, AE_IFREG, 0644, static_cast<int64_t>(data.size()), mtime));
  if (!data.empty() && archive_write_data(a_, data.data(), data.size()) < 0)
    return fail("write " + name);
  return ok();
}

Result<> TarOut::symlink(const std::string& name, const std::string& target, int64_t mtime) {
  return header(name, AE_IFLNK, 0777, 0, mtime, target.c_str());
}

Result<> TarOut::stream(const std::string& name, int64_t size,
                        const std::function<Result<>(const Chunk&)>& fill, int64_t mtime) {
  TRY(header(name, AE_IFREG, 0644, size, mtime));
  int64_t written = 0;
  TRY(fill([&](std::string_view chunk) -> Result<> {
    written += static_cast<int64_t>(chunk.size());
    if (written > size) return make_error(ErrorCategory::Internal, name + " grew while writing");
    if (archive_write_data(a_, chunk.data(), chunk.size()) < 0) return fail("write " + name);
    return ok();
  }));
  if (written != size) return make_error(ErrorCategory::Internal, name + " shrank while writing");
  return ok();
}

Result<> TarOut::close() {
  closed_ = true;
  if (archive_write_close(a_) != ARCHIVE_OK) return fail("finish tar");
  return ok();
}

}  // namespace berth::image
