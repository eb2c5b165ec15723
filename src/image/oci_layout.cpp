#include "image/oci_layout.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "oci/image_config.hpp"
#include "oci/image_manifest.hpp"
#include "oci/image_reference.hpp"
#include "oci/json.hpp"

namespace berth::image {

namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr const char* kContainerdName = "io.containerd.image.name";

// Copies a layout blob into the content store, verifying its digest.
Result<BlobInfo> ingest(Context& ctx, ScopedLease& lease, int blobs_dir, const oci::Descriptor& d) {
  TRY(oci::validate_digest(d.digest));
  // Lease first: a blob already present cannot be collected in between.
  TRY(ctx.leases.add(lease.id(), LeaseKind::Content, d.digest));
  if (ctx.content.exists(d.digest)) return BlobInfo{d.digest, TRY(ctx.content.size(d.digest))};
  auto src = TRY(open_at(blobs_dir, std::string(oci::digest_hex(d.digest)), O_RDONLY | O_NOFOLLOW));
  auto w = TRY(ctx.content.writer());
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = ::read(src.get(), buf.data(), buf.size());
    if (n < 0) return sys_error("read blob " + d.digest);
    if (n == 0) break;
    TRY(w.write(buf.data(), static_cast<size_t>(n)));
  }
  return w.commit(d.digest, lease.hold());
}

Result<std::string> read_blob(Context& ctx, ScopedLease& lease, int blobs_dir, const oci::Descriptor& d) {
  TRY(ingest(ctx, lease, blobs_dir, d));
  return ctx.content.read(d.digest);
}

Result<std::string> load_manifest(Context& ctx, ScopedLease& lease, int blobs_dir,
                                  const oci::Descriptor& desc) {
  auto bytes = TRY(read_blob(ctx, lease, blobs_dir, desc));
  if (TRY(oci::detect_kind(bytes, desc.media_type)) == oci::DocumentKind::Index) {
    auto nested = TRY(oci::parse_index(bytes));
    auto chosen = TRY(oci::select_platform(nested, oci::host_platform()));
    return load_manifest(ctx, lease, blobs_dir, chosen);
  }
  auto manifest = TRY(oci::parse_manifest(bytes));
  auto config_blob = TRY(ingest(ctx, lease, blobs_dir, manifest.config));
  auto config = TRY(oci::parse_image_config(TRY(ctx.content.read(config_blob.digest))));
  if (config.diff_ids.size() != manifest.layers.size())
    return make_error(ErrorCategory::InvalidArgument, "manifest and config disagree on the layer count");
  NewImage img;
  img.config_digest = config_blob.digest;
  img.manifest_digest = desc.digest;
  img.manifest_media_type = manifest.media_type.empty() ? desc.media_type : manifest.media_type;
  img.created = config.created;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const auto& l = manifest.layers[i];
    TRY(oci::layer_compression(l.media_type));
    auto blob = TRY(ingest(ctx, lease, blobs_dir, l));
    img.layers.push_back({blob.digest, l.media_type, blob.size, config.diff_ids[i], ""});
  }
  return TRY(ctx.images.put(img)).id;
}

Result<> copy_blob(Context& ctx, int blobs_dir, const std::string& digest) {
  std::string name(oci::digest_hex(digest));
  struct stat st{};
  if (::fstatat(blobs_dir, name.c_str(), &st, 0) == 0) return ok();
  auto src = TRY(ctx.content.open_blob(digest));
  auto size = TRY(ctx.content.size(digest));
  std::string tmp = name + ".tmp";
  auto dst = TRY(open_at(blobs_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  if (::ioctl(dst.get(), FICLONE, src.get()) < 0) {
    for (int64_t done = 0; done < size;) {
      ssize_t n = ::copy_file_range(src.get(), nullptr, dst.get(), nullptr,
                                    static_cast<size_t>(size - done), 0);
      if (n <= 0) return sys_error("copy blob " + digest);
      done += n;
    }
  }
  if (::fsync(dst.get()) < 0) return sys_error("fsync blob " + digest);
  if (::renameat(blobs_dir, tmp.c_str(), blobs_dir, name.c_str()) < 0) return sys_error("rename blob");
  return ok();
}

}  // namespace

Result<LoadResult> load_oci_layout(Context& ctx, const std::string& dir, const std::string& repository) {
  auto layout = TRY_CTX(read_file(dir + "/oci-layout"), "not an OCI layout: " + dir);
  (void)layout;
  auto index = TRY(oci::parse_index(TRY(read_file(dir + "/index.json"))));
  auto blobs = TRY(open_file(dir + "/blobs/sha256", O_RDONLY | O_DIRECTORY));
  auto lease = TRY(ScopedLease::create(ctx.leases));
  LoadResult result;
  for (const auto& desc : index.manifests) {
    auto id = TRY_CTX(load_manifest(ctx, lease, blobs.get(), desc), "load " + desc.digest);
    result.image_ids.push_back(id);
    std::string name;
    if (auto it = desc.annotations.find(kContainerdName); it != desc.annotations.end()) name = it->second;
    else if (auto rn = desc.annotations.find(kRefName); rn != desc.annotations.end()) {
      bool bare_tag = rn->second.find_first_of("/:@") == std::string::npos;
      if (!bare_tag) name = rn->second;
      else if (!repository.empty()) name = repository + ":" + rn->second;
    }
    if (!name.empty()) {
      TRY(ctx.images.tag(id, name));
      result.tags.push_back(TRY(oci::parse_reference(name)).familiar());
    }
  }
  return result;
}

Result<> save_oci_layout(Context& ctx, const std::vector<std::string>& names, const std::string& dir) {
  TRY(make_dirs(dir + "/blobs/sha256"));
  auto blobs = TRY(open_file(dir + "/blobs/sha256", O_RDONLY | O_DIRECTORY));
  oci::Index index;
  for (const auto& name : names) {
    auto image = TRY(ctx.images.resolve(name));
    for (const auto& l : image.layers) TRY(copy_blob(ctx, blobs.get(), l.digest));
    TRY(copy_blob(ctx, blobs.get(), image.id));
    TRY(copy_blob(ctx, blobs.get(), image.manifest_digest));
    oci::Descriptor d{image.manifest_media_type, image.manifest_digest,
                      TRY(ctx.content.size(image.manifest_digest)), {}, {}, {}};
    std::string full;
    if (auto ref = oci::parse_reference(name); ref && ref->digest.empty()) {
      for (const auto& t : image.repo_tags)
        if (t == ref->full()) full = t;
    }
    if (full.empty() && !image.repo_tags.empty() && name.rfind("sha256:", 0) != 0) full = image.repo_tags[0];
    if (!full.empty()) {
      auto ref = TRY(oci::parse_reference(full));
      d.annotations[kRefName] = ref.tag;
      d.annotations[kContainerdName] = ref.full();
    }
    index.manifests.push_back(d);
  }
  TRY(write_file_atomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  return write_file_atomic(dir + "/index.json", oci::to_json(index));
}

}  // namespace berth::image
