#include "image/docker_archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "image/layer_reader.hpp"
#include "image/tar_out.hpp"
#include "oci/image_config.hpp"
#include "oci/image_json_util.hpp"
#include "oci/image_reference.hpp"
#include "oci/json.hpp"

namespace berth::image {

namespace {

constexpr size_t kMetadataLimit = 16u << 20;

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::string clean(std::string name) {
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  while (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

// Resolves a relative symlink target against the link's directory.
std::string resolve_link(const std::string& link, const std::string& target) {
  if (!target.empty() && target.front() == '/') return clean(target);
  std::vector<std::string> parts;
  std::string dir = link.substr(0, link.rfind('/') == std::string::npos ? 0 : link.rfind('/'));
  for (const auto& p : {dir, target}) {
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string::npos) end = p.size();
      std::string part = p.substr(start, end - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

bool metadata_file(const std::string& name) {
  auto base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
  return name == "manifest.json" || name == "repositories" || name == "index.json" ||
         name == "oci-layout" || base == "json" || base == "VERSION";
}

struct ArchiveFiles {
  std::map<std::string, std::string> small;    // metadata, in memory
  std::map<std::string, BlobInfo> blobs;       // everything else, stored
  std::map<std::string, std::string> links;    // symlink -> resolved target

  Result<BlobInfo> blob(std::string name) const {
    for (int hops = 0; hops < 16; ++hops) {
      name = clean(name);
      if (auto it = blobs.find(name); it != blobs.end()) return it->second;
      auto l = links.find(name);
      if (l == links.end()) break;
      name = l->second;
    }
    return make_error(ErrorCategory::InvalidArgument, "archive has no file " + name);
  }
};

Result<ArchiveFiles> read_archive(Context& ctx, ScopedLease& lease, int fd) {
  ArchiveFiles files;
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 20) != ARCHIVE_OK)
    return make_error(ErrorCategory::InvalidArgument, "not an image archive");
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    const char* raw = archive_entry_pathname(e);
    std::string name = clean(raw ? raw : "");
    auto type = archive_entry_filetype(e);
    if (type == AE_IFLNK && archive_entry_symlink(e)) {
      files.links[name] = resolve_link(name, archive_entry_symlink(e));
    } else if (archive_entry_hardlink(e)) {
      files.links[name] = clean(archive_entry_hardlink(e));
    } else if (type == AE_IFREG) {
      bool small = metadata_file(name) && archive_entry_size(e) <= static_cast<int64_t>(kMetadataLimit);
      std::string data;
      auto writer = small ? Result<BlobWriter>(make_error(ErrorCategory::Internal, ""))
                          : ctx.content.writer();
      if (!small && !writer) return tl::unexpected(writer.error());
      const void* buf;
      size_t len;
      la_int64_t off;
      int drc;
      while ((drc = archive_read_data_block(a.get(), &buf, &len, &off)) == ARCHIVE_OK) {
        if (small) data.append(static_cast<const char*>(buf), len);
        else TRY(writer->write(buf, len));
      }
      if (drc != ARCHIVE_EOF)
        return make_error(ErrorCategory::InvalidArgument, "corrupt archive entry " + name);
      if (small) files.small[name] = std::move(data);
      else files.blobs[name] = TRY(writer->commit({}, lease.hold()));
    }
  }
  if (rc != ARCHIVE_EOF) {
    const char* s = archive_error_string(a.get());
    return make_error(ErrorCategory::InvalidArgument, std::string("corrupt archive: ") + (s ? s : "?"));
  }
  return files;
}

Result<std::string> load_one(Context& ctx, ScopedLease& lease, const ArchiveFiles& files,
                             const oci::json::object& item, LoadResult& result) {
  auto config_path = TRY(oci::detail::get_string(item, "Config", true));
  auto config_blob = TRY(files.blob(config_path));
  auto config = TRY_CTX(oci::parse_image_config(TRY(ctx.content.read(config_blob.digest))),
                        "config " + config_path);
  auto layer_paths = TRY(oci::detail::get_string_list(item, "Layers")).value_or(std::vector<std::string>{});
  if (layer_paths.size() != config.diff_ids.size())
    return make_error(ErrorCategory::InvalidArgument,
                      "manifest lists " + std::to_string(layer_paths.size()) + " layers, config " +
                          std::to_string(config.diff_ids.size()));
  std::vector<LayerBlob> layers;
  for (size_t i = 0; i < layer_paths.size(); ++i) {
    auto blob = TRY(files.blob(layer_paths[i]));
    LayerBlob l{blob.digest, std::string(oci::media::kOciLayer), blob.size, config.diff_ids[i]};
    if (blob.digest != config.diff_ids[i]) {
      // A compressed layer: its content must still hash to the diff ID.
      auto actual = TRY(layer_diff_id(ctx.content, blob.digest));
      if (actual.diff_id != config.diff_ids[i])
        return make_error(ErrorCategory::InvalidArgument,
                          "layer " + layer_paths[i] + " does not match diff ID " + config.diff_ids[i]);
      l.media_type = TRY(sniff_layer_media_type(ctx.content, blob.digest));
    }
    layers.push_back(l);
  }
  auto record = TRY(record_image(ctx, lease, config_blob, layers, config.created));
  for (const auto& tag : TRY(oci::detail::get_string_list(item, "RepoTags")).value_or(std::vector<std::string>{})) {
    TRY(ctx.images.tag(record.id, tag));
    result.tags.push_back(TRY(oci::parse_reference(tag)).familiar());
  }
  return record.id;
}

}  // namespace

Result<LoadResult> load_docker_archive(Context& ctx, int fd) {
  auto lease = TRY(ScopedLease::create(ctx.leases));
  auto files = TRY(read_archive(ctx, lease, fd));
  auto manifest = files.small.find("manifest.json");
  if (manifest == files.small.end())
    return make_error(ErrorCategory::InvalidArgument, "archive has no manifest.json (not a docker save archive)");
  auto doc = TRY_CTX(oci::parse_json(manifest->second), "manifest.json");
  if (!doc.is_array()) return make_error(ErrorCategory::InvalidArgument, "manifest.json is not an array");
  LoadResult result;
  for (const auto& item : doc.get_array()) {
    auto* obj = TRY(oci::detail::as_object(item, "manifest.json entry"));
    result.image_ids.push_back(TRY_CTX(load_one(ctx, lease, files, *obj, result), "load image"));
  }
  return result;
}

namespace {

// <id>/VERSION, <id>/json (the legacy v1 metadata) and <id>/layer.tar.
Result<> write_layer_dir(Context& ctx, TarOut& tar, const LayerRecord& layer, const std::string& id,
                         const std::string& parent_id) {
  TRY(tar.dir(id));
  TRY(tar.file(id + "/VERSION", "1.0"));
  oci::json::object v1{{"id", id}};
  if (!parent_id.empty()) v1["parent"] = parent_id;
  TRY(tar.file(id + "/json", oci::json::serialize(v1)));
  auto size = TRY(uncompressed_layer_size(ctx.content, layer));
  return tar.stream(id + "/layer.tar", static_cast<int64_t>(size), [&](const TarOut::Chunk& chunk) {
    return stream_uncompressed_layer(ctx.content, layer, chunk);
  });
}

}  // namespace

Result<uint64_t> uncompressed_layer_size(ContentStore& content, const LayerRecord& layer) {
  if (layer.digest == layer.diff_id) return static_cast<uint64_t>(TRY(content.size(layer.digest)));
  return TRY(layer_diff_id(content, layer.digest)).size;
}

Result<> stream_uncompressed_layer(ContentStore& content, const LayerRecord& layer,
                                   const std::function<Result<>(std::string_view)>& out) {
  auto fd = TRY(content.open_blob(layer.digest));
  auto reader = TRY(LayerReader::open(fd.get(), UINT64_MAX));
  std::vector<char> buf(1 << 20);
  while (size_t n = TRY(reader->read(buf.data(), buf.size()))) TRY(out(std::string_view(buf.data(), n)));
  if (reader->diff_id() != layer.diff_id)
    return make_error(ErrorCategory::Internal, "stored layer " + layer.digest + " does not match its diff ID");
  return ok();
}

Result<> save_docker_archive(Context& ctx, const std::vector<std::string>& names, int out_fd) {
  // One manifest entry per image, carrying every tag asked for (as
  // `docker save a:1 a:2` does).
  std::vector<std::pair<ImageRecord, std::vector<std::string>>> wanted;
  for (const auto& name : names) {
    auto image = TRY(ctx.images.resolve(name));
    auto it = std::find_if(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first.id == image.id; });
    if (it == wanted.end()) it = wanted.insert(wanted.end(), {image, {}});
    if (auto ref = oci::parse_reference(name); ref && ref->digest.empty()) {
      for (const auto& t : image.repo_tags)
        if (t == ref->full() && std::find(it->second.begin(), it->second.end(), ref->familiar()) == it->second.end())
          it->second.push_back(ref->familiar());
    }
  }
  auto tar = TRY(TarOut::open(out_fd));
  oci::json::array manifest;
  oci::json::object repositories;
  std::set<std::string> written;
  for (const auto& [image, tags] : wanted) {
    std::string config_name = std::string(oci::digest_hex(image.id)) + ".json";
    if (written.insert(config_name).second)
      TRY(tar->file(config_name, TRY(ctx.content.read(image.id))));
    oci::json::array layer_paths;
    std::string parent_id;
    for (const auto& layer : image.layers) {
      // Directory names follow the chain ID, so equal stacks share them.
      std::string id(oci::digest_hex(layer.chain_id));
      layer_paths.emplace_back(id + "/layer.tar");
      if (written.insert(id).second) TRY(write_layer_dir(ctx, *tar, layer, id, parent_id));
      parent_id = id;
    }
    oci::json::object item{{"Config", config_name}, {"RepoTags", nullptr}, {"Layers", layer_paths}};
    if (!tags.empty()) item["RepoTags"] = oci::detail::to_array(tags);
    manifest.emplace_back(std::move(item));
    for (const auto& t : tags) {
      auto ref = TRY(oci::parse_reference(t));
      auto& repo = repositories[ref.familiar_name()];
      if (!repo.is_object()) repo = oci::json::object();
      repo.get_object()[ref.tag] = parent_id;
    }
  }
  TRY(tar->file("manifest.json", oci::json::serialize(manifest)));
  if (!repositories.empty()) TRY(tar->file("repositories", oci::json::serialize(repositories)));
  return tar->close();
}

}  // namespace berth::image
