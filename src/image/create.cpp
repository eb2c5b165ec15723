#include "image/create.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <boost/json.hpp>

#include "image/changes.hpp"
#include "image/config_change.hpp"
#include "image/layer_reader.hpp"
#include "image/layer_writer.hpp"
#include "oci/image_config.hpp"
#include "oci/image_manifest.hpp"

namespace berth::image {

namespace {

namespace json = boost::json;

Result<ImageRecord> finish(Context& ctx, ScopedLease& lease, oci::ImageConfig config,
                           const std::vector<LayerBlob>& layers, const std::vector<std::string>& changes,
                           const std::string& tag) {
  for (const auto& c : changes) TRY(apply_change(config.config, c));
  auto config_blob = TRY(ctx.content.put(oci::to_json(config), {}, lease.hold()));
  auto record = TRY(record_image(ctx, lease, config_blob, layers, config.created));
  if (!tag.empty()) {
    TRY(ctx.images.tag(record.id, tag));
    record = TRY(ctx.images.get(record.id));
  }
  return record;
}

// Walks the stored layer's headers, so an import of something that is
// not a tar fails now rather than at the first unpack.
Result<> check_tar(ContentStore& content, const std::string& digest) {
  auto fd = TRY(content.open_blob(digest));
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  int rc = archive_read_open_fd(a, fd.get(), 1 << 20);
  archive_entry* e = nullptr;
  while (rc == ARCHIVE_OK && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) rc = archive_read_data_skip(a);
  std::string why = archive_error_string(a) ? archive_error_string(a) : "";
  archive_read_free(a);
  if (rc != ARCHIVE_EOF) return make_error(ErrorCategory::InvalidArgument, "not a valid tar archive: " + why);
  return ok();
}

// The image config with the committed container's Config in place of the
// parent's, as dockerd records a commit.
Result<oci::ImageConfig> with_container_config(const oci::ImageConfig& config, const CommitOptions& options) {
  boost::system::error_code ec;
  auto doc = json::parse(oci::to_json(config), ec);
  auto cc = json::parse(options.container_config, ec);
  if (ec || !doc.is_object() || !cc.is_object())
    return make_error(ErrorCategory::InvalidArgument, "commit: the container's config is not a JSON object");
  doc.as_object()["config"] = std::move(cc);
  if (!options.container_id.empty()) doc.as_object()["container"] = options.container_id;
  if (!options.own_config.empty()) {
    auto own = json::parse(options.own_config, ec);
    if (!ec && own.is_object()) doc.as_object()["container_config"] = std::move(own);
  }
  if (!options.docker_version.empty()) doc.as_object()["docker_version"] = options.docker_version;
  if (!options.message.empty()) doc.as_object()["comment"] = options.message;  // image inspect's Comment
  return oci::parse_image_config(json::serialize(doc));
}

oci::ImageConfig fresh_config() {
  auto p = oci::host_platform();
  oci::ImageConfig c;
  c.architecture = p.architecture;
  c.os = p.os;
  c.variant = p.variant;
  return c;
}

}  // namespace

Result<ImageRecord> import_rootfs(Context& ctx, int fd, const ImportOptions& options) {
  auto lease = TRY(ScopedLease::create(ctx.leases));
  auto reader = TRY(LayerReader::open(fd, UINT64_MAX));
  auto w = TRY(ctx.content.writer());
  std::vector<char> buf(1 << 20);
  while (size_t n = TRY(reader->read(buf.data(), buf.size()))) TRY(w.write(buf.data(), n));
  auto layer = TRY(w.commit({}, lease.hold()));
  TRY_CTX(check_tar(ctx.content, layer.digest), "import " + options.source);
  auto config = fresh_config();
  config.created = oci::rfc3339_now();
  config.diff_ids = {layer.digest};
  config.history.push_back({config.created, "", "",
                            options.message.empty() ? "Imported from " + options.source : options.message,
                            false});
  return finish(ctx, lease, std::move(config),
                {{layer.digest, std::string(oci::media::kOciLayer), layer.size, layer.digest}},
                options.changes, options.tag);
}

Result<ImageRecord> commit_snapshot(Context& ctx, snapshot::Snapshotter& snapshots,
                                    const std::string& key, const CommitOptions& options) {
  auto lease = TRY(ScopedLease::create(ctx.leases));
  auto source = TRY(snapshots.diff_source(key));
  auto changes = TRY(compute_changes(source));
  auto w = TRY(ctx.content.writer());
  TRY_CTX(write_layer(source, changes, [&](std::string_view bytes) { return w.write(bytes); }),
          "diff snapshot " + key);
  auto layer = TRY(w.commit({}, lease.hold()));

  oci::ImageConfig config = fresh_config();
  std::vector<LayerBlob> layers;
  if (!options.parent_image.empty()) {
    auto parent = TRY(ctx.images.resolve(options.parent_image));
    config = TRY(oci::parse_image_config(TRY(ctx.content.read(parent.id))));
    for (const auto& l : parent.layers) {
      TRY(ctx.leases.add(lease.id(), LeaseKind::Content, l.digest));
      layers.push_back({l.digest, l.media_type, l.size, l.diff_id});
    }
  }
  if (!options.container_config.empty()) config = TRY(with_container_config(config, options));
  // dockerd records a commit's parent image (inspect's Parent, history's
  // IDs); berth keeps it in the config, where the chain survives a save.
  config.raw.erase("parent");
  if (!options.parent_image.empty()) config.raw["parent"] = TRY(ctx.images.resolve(options.parent_image)).id;
  // The commit's own author and comment, never the parent's.
  config.raw.erase("comment");
  if (!options.message.empty()) config.raw["comment"] = options.message;
  config.created = oci::rfc3339_now();
  config.author = options.author;
  config.diff_ids.push_back(layer.digest);
  config.history.push_back({config.created, options.created_by, options.author, options.message, false});
  layers.push_back({layer.digest, std::string(oci::media::kOciLayer), layer.size, layer.digest});
  return finish(ctx, lease, std::move(config), layers, options.changes, options.tag);
}

}  // namespace berth::image
