// Builds tar streams entry by entry for layer tests, including the
// hostile ones no ordinary tar tool would write (".." names, links out of
// the root, device nodes). Header-only; uses libarchive's writer.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <string>
#include <utility>
#include <vector>

namespace berth::test {

struct TarOpts {
  unsigned mode = 0;
  long uid = 0, gid = 0;
  long mtime = 1700000000;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class TarBuilder {
 public:
  using Opts = TarOpts;

  // filter: "none", "gzip", "zstd".
  explicit TarBuilder(const std::string& filter = "none") : a_(archive_write_new()) {
    archive_write_set_format_pax(a_);
    if (filter == "gzip") archive_write_add_filter_gzip(a_);
    if (filter == "zstd") archive_write_add_filter_zstd(a_);
    // No padding after the last record, so a compressed build decompresses
    // to exactly the bytes of an uncompressed one.
    archive_write_set_bytes_in_last_block(a_, 1);
    archive_write_open(a_, this, nullptr, &TarBuilder::write_cb, nullptr);
  }
  ~TarBuilder() {
    if (a_) archive_write_free(a_);
  }

  TarBuilder& file(const std::string& name, const std::string& data, Opts o = {}) {
    auto* e = entry(name, AE_IFREG, o.mode ? o.mode : 0644, o);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_write_header(a_, e);
    archive_write_data(a_, data.data(), data.size());
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& dir(const std::string& name, Opts o = {}) {
    auto* e = entry(name, AE_IFDIR, o.mode ? o.mode : 0755, o);
    archive_write_header(a_, e);
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& symlink(const std::string& name, const std::string& target, Opts o = {}) {
    auto* e = entry(name, AE_IFLNK, 0777, o);
    archive_entry_set_symlink(e, target.c_str());
    archive_write_header(a_, e);
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    auto* e = entry(name, AE_IFREG, 0644, {});
    archive_entry_set_hardlink(e, target.c_str());
    archive_entry_set_size(e, 0);
    archive_write_header(a_, e);
    archive_entry_free(e);
    return *this;
  }
  TarBuilder& device(const std::string& name, unsigned type, unsigned major, unsigned minor) {
    auto* e = entry(name, type, 0600, {});
    archive_entry_set_rdevmajor(e, major);
    archive_entry_set_rdevminor(e, minor);
    archive_write_header(a_, e);
    archive_entry_free(e);
    return *this;
  }
  // A file whose header claims `size` bytes of zeros (for bomb tests the
  // data is real zeros, which compress to almost nothing).
  TarBuilder& zeros(const std::string& name, size_t size) {
    auto* e = entry(name, AE_IFREG, 0644, {});
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_write_header(a_, e);
    std::string chunk(1 << 16, '\0');
    for (size_t done = 0; done < size; done += chunk.size())
      archive_write_data(a_, chunk.data(), std::min(chunk.size(), size - done));
    archive_entry_free(e);
    return *this;
  }

  std::string finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    return std::move(out_);
  }

 private:
  archive_entry* entry(const std::string& name, unsigned type, unsigned mode, const Opts& o) {
    auto* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_uid(e, o.uid);
    archive_entry_set_gid(e, o.gid);
    archive_entry_set_mtime(e, o.mtime, 0);
    for (const auto& [k, v] : o.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    return e;
  }
  static la_ssize_t write_cb(archive*, void* self, const void* buf, size_t n) {
    static_cast<TarBuilder*>(self)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }

  archive* a_;
  std::string out_;
};

}  // namespace berth::test
