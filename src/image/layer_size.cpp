#include "image/layer_size.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <string_view>

#include "image/layer_reader.hpp"

namespace berth::image {
namespace {

// libarchive's read callback over a LayerReader (decompressed tar bytes).
struct Source {
  LayerReader* reader = nullptr;
  std::vector<char> buffer = std::vector<char>(1 << 20);
  std::optional<Error> error;
};

la_ssize_t read_cb(archive*, void* data, const void** out) {
  auto* src = static_cast<Source*>(data);
  auto n = src->reader->read(src->buffer.data(), src->buffer.size());
  if (!n) {
    src->error = n.error();
    return -1;
  }
  *out = src->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

bool is_whiteout(const char* path) {
  std::string_view p(path ? path : "");
  auto slash = p.rfind('/');
  return p.substr(slash == std::string_view::npos ? 0 : slash + 1).rfind(".wh.", 0) == 0;
}

}  // namespace

Result<int64_t> layer_content_size(ContentStore& content, const LayerRecord& layer) {
  auto fd = TRY(content.open_blob(layer.digest));
  auto reader = TRY(LayerReader::open(fd.get(), UINT64_MAX));
  Source src;
  src.reader = reader.get();
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  int64_t total = 0;
  int rc = archive_read_open(a, &src, nullptr, read_cb, nullptr);
  archive_entry* e = nullptr;
  while (rc == ARCHIVE_OK && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    auto type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e) || type == AE_IFDIR || is_whiteout(archive_entry_pathname(e))) {
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(e);
      total += target ? static_cast<int64_t>(std::strlen(target)) : 0;
    } else if (type == AE_IFREG) {
      total += archive_entry_size(e);
    }
    rc = archive_read_data_skip(a);
  }
  std::string message = rc == ARCHIVE_EOF ? "" : (archive_error_string(a) ? archive_error_string(a) : "read error");
  archive_read_free(a);
  if (src.error) return tl::unexpected(std::move(*src.error).wrap("layer " + layer.digest));
  if (rc != ARCHIVE_EOF)
    return make_error(ErrorCategory::InvalidArgument, "layer " + layer.digest + ": " + message);
  return total;
}

}  // namespace berth::image
