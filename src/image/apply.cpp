#include "image/apply.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "image/apply_internal.hpp"
#include "image/layer_reader.hpp"

namespace berth::image {

namespace detail {

Unexpected refuse(std::string_view entry, std::string_view why) {
  return make_error(ErrorCategory::InvalidArgument,
                    "refused \"" + std::string(entry.substr(0, 512)) + "\": " +
                        std::string(why));
}

Result<std::vector<std::string>> clean_path(std::string_view name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    // Absolute names and "./" prefixes are taken relative to the root.
    if (part == "..") return refuse(name, "path contains \"..\"");
    if (!part.empty() && part != ".") {
      if (part.size() > 255) return refuse(name, "name component too long");
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  if (name.size() > 4096) return refuse(name, "path too long");
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, size_t count) {
  if (count == 0) return ".";  // the root itself
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

}  // namespace detail

namespace {

struct Source {
  LayerReader* reader;
  const std::function<void(uint64_t)>* on_progress;
  std::vector<char> buf = std::vector<char>(1 << 20);
  Error error{ErrorCategory::Internal, ""};
  bool failed = false;
};

la_ssize_t read_cb(archive*, void* data, const void** out) {
  auto* src = static_cast<Source*>(data);
  auto n = src->reader->read(src->buf.data(), src->buf.size());
  if (!n) {
    src->error = n.error();
    src->failed = true;
    return -1;
  }
  *out = src->buf.data();
  if (*src->on_progress) (*src->on_progress)(src->reader->stored_size());
  return static_cast<la_ssize_t>(*n);
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Result<ApplyResult> apply_layer(int root_fd, int layer_fd, const ApplyOptions& options) {
  auto reader = TRY(LayerReader::open(layer_fd, options.limits.max_bytes));
  Source src{reader.get(), &options.on_progress};
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  if (archive_read_open(a.get(), &src, nullptr, read_cb, nullptr) != ARCHIVE_OK) {
    if (src.failed) return tl::unexpected(src.error);
    return make_error(ErrorCategory::InvalidArgument,
                      "layer is not a tar: " + detail::archive_error(a.get()));
  }
  detail::Applier applier(root_fd, options);
  ApplyResult result;
  while (true) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (src.failed) return tl::unexpected(src.error);
    if (rc < ARCHIVE_WARN)
      return make_error(ErrorCategory::InvalidArgument,
                        "corrupt layer tar: " + detail::archive_error(a.get()));
    if (++result.entries > options.limits.max_entries)
      return make_error(ErrorCategory::InvalidArgument,
                        "layer has more than " + std::to_string(options.limits.max_entries) +
                            " entries");
    auto applied = applier.entry(a.get(), e);
    if (src.failed) return tl::unexpected(src.error);
    if (!applied) return tl::unexpected(applied.error());
  }
  TRY(applier.finish());
  TRY(reader->drain());
  result.diff_id = reader->diff_id();
  result.blob_digest = reader->blob_digest();
  result.size = reader->uncompressed_size();
  if (!options.expected_diff_id.empty() && options.expected_diff_id != result.diff_id)
    return make_error(ErrorCategory::InvalidArgument,
                      "layer diff ID mismatch: expected " + options.expected_diff_id + ", got " +
                          result.diff_id);
  return result;
}

}  // namespace berth::image
