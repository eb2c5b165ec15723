#include "image/context.hpp"

#include "image/layer_reader.hpp"
#include "oci/image_config.hpp"
#include "oci/image_manifest.hpp"

namespace berth::image {

Result<ScopedLease> ScopedLease::create(Leases& leases) {
  auto id = TRY(leases.create({}, true));
  return ScopedLease(leases, id);
}

ScopedLease::~ScopedLease() {
  if (!id_.empty()) (void)leases_.remove(id_);
}

std::function<Result<>(const BlobInfo&)> ScopedLease::hold() {
  return [this](const BlobInfo& b) { return leases_.add(id_, LeaseKind::Content, b.digest); };
}

Result<ImageRecord> record_image(Context& ctx, ScopedLease& lease, const BlobInfo& config,
                                 const std::vector<LayerBlob>& layers, const std::string& created) {
  oci::Manifest m;
  m.media_type = std::string(oci::media::kOciManifest);
  m.config = {std::string(oci::media::kOciConfig), config.digest, config.size, {}, {}, {}};
  NewImage img;
  for (const auto& l : layers) {
    m.layers.push_back({l.media_type, l.digest, l.size, {}, {}, {}});
    img.layers.push_back({l.digest, l.media_type, l.size, l.diff_id, ""});
  }
  auto manifest = TRY(ctx.content.put(oci::to_json(m), {}, lease.hold()));
  img.config_digest = config.digest;
  img.manifest_digest = manifest.digest;
  img.manifest_media_type = m.media_type;
  img.created = created;
  return ctx.images.put(img);
}

Result<std::string> sniff_layer_media_type(ContentStore& content, const std::string& digest) {
  auto fd = TRY(content.open_blob(digest));
  auto reader = TRY(LayerReader::open(fd.get(), UINT64_MAX));
  switch (reader->compression()) {
    case oci::Compression::Gzip: return std::string(oci::media::kOciLayerGzip);
    case oci::Compression::Zstd: return std::string(oci::media::kOciLayerZstd);
    case oci::Compression::None: return std::string(oci::media::kOciLayer);
  }
  return std::string(oci::media::kOciLayer);
}

Result<LayerDigest> layer_diff_id(ContentStore& content, const std::string& digest) {
  auto fd = TRY(content.open_blob(digest));
  auto reader = TRY(LayerReader::open(fd.get(), UINT64_MAX));
  TRY_CTX(reader->drain(), "layer " + digest);
  return LayerDigest{reader->diff_id(), reader->uncompressed_size()};
}

}  // namespace berth::image
