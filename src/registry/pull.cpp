#include "registry/pull.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>

#include "base/strings.hpp"
#include "image/sha256.hpp"
#include "oci/image_config.hpp"
#include "oci/image_reference.hpp"
#include "registry/resolve.hpp"
#include "registry/unpack_pipeline.hpp"

namespace berth::registry {

namespace {

using Clock = std::chrono::steady_clock;

bool is_schema1(const FetchedManifest& m) {
  if (m.media_type.find("distribution.manifest.v1") != std::string::npos) return true;
  return m.bytes.find("\"schemaVersion\": 1") != std::string::npos ||
         m.bytes.find("\"schemaVersion\":1") != std::string::npos;
}

struct Puller {
  image::Context& ctx;
  const PullOptions& options;
  ProgressFn progress;
  image::ScopedLease lease;
  Client& client;
  std::string repo;
  std::set<std::string> present;  // layers in the store before this pull
  UnpackPipeline* pipeline = nullptr;  // extracts while later layers download
  std::mutex emit_mu;  // the pipeline reports from its own thread

  void emit(ProgressEvent e) {
    std::lock_guard lock(emit_mu);
    if (progress) progress(e);
  }
  void layer_status(const std::string& digest, const std::string& status) {
    emit({short_id(digest), status, -1, -1, true, "", ""});
  }

  // Stores a small document (manifest, index, config) verbatim.
  Result<> store(const std::string& bytes, const std::string& digest) {
    TRY(ctx.leases.add(lease.id(), image::LeaseKind::Content, digest));
    if (!ctx.content.exists(digest)) TRY(ctx.content.put(bytes, digest, lease.hold()));
    return ok();
  }

  Result<FetchedManifest> manifest(const std::string& reference) {
    return accept(TRY(client.get_manifest(repo, reference)), reference);
  }

  Result<FetchedManifest> accept(FetchedManifest m, const std::string& reference) {
    if (is_schema1(m))
      return make_error(ErrorCategory::InvalidArgument,
                        "unsupported manifest format (Docker image schema 1) for " + repo + ":" + reference +
                            "; push the image again with a current client");
    TRY(store(m.bytes, m.digest));
    return m;
  }

  Result<std::string> blob(const oci::Descriptor& d) {
    auto fetched = TRY(fetch({BlobFetch{d, {}, {}, {}}}));
    (void)fetched;
    return ctx.content.read(d.digest);
  }

  Result<int> fetch(const std::vector<BlobFetch>& fetches) {
    std::vector<BlobFetch> missing;
    for (const auto& f : fetches) {
      TRY(oci::validate_digest(f.desc.digest));
      // Lease first: a blob already present cannot be collected in between.
      TRY(ctx.leases.add(lease.id(), image::LeaseKind::Content, f.desc.digest));
      if (!ctx.content.exists(f.desc.digest)) missing.push_back(f);
    }
    if (!missing.empty()) TRY(client.fetch_blobs(repo, missing, ctx.content, lease.hold()));
    return static_cast<int>(missing.size());
  }

  std::vector<BlobFetch> layer_fetches(const oci::Manifest& m, std::vector<Clock::time_point>& last) {
    std::vector<BlobFetch> out;
    last.assign(m.layers.size(), Clock::time_point{});
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const auto& d = m.layers[i];
      auto on_progress = [this, &last, i, d](int64_t current) {
        auto now = Clock::now();
        if (current < d.size && now - last[i] < std::chrono::milliseconds(100)) return;
        last[i] = now;
        emit({short_id(d.digest), "Downloading", current, d.size, true, "", ""});
      };
      out.push_back({d, on_progress, [this, d] { layer_status(d.digest, "Verifying Checksum"); },
                     [this, d] {
                       layer_status(d.digest, "Download complete");
                       if (pipeline) pipeline->ready(d.digest);
                     }});
    }
    return out;
  }

  // Pins every chain with the pull's lease (the image record that keeps
  // them comes last), then starts extracting whatever is already here.
  Result<std::unique_ptr<UnpackPipeline>> start_pipeline(const oci::Manifest& m,
                                                         const std::vector<std::string>& diff_ids) {
    auto chains = image::chain_ids(diff_ids);
    std::vector<PipelineLayer> layers;
    for (size_t i = 0; i < m.layers.size(); ++i) {
      TRY(ctx.leases.add(lease.id(), image::LeaseKind::Snapshot, chains[i]));
      layers.push_back({m.layers[i].digest, diff_ids[i], chains[i], m.layers[i].size});
    }
    auto status = [this](const std::string& digest, const std::string& text, int64_t current, int64_t total) {
      if (text == "Pull complete" && present.count(digest)) return;
      if (current >= 0) emit({short_id(digest), text, current, total, true, "", ""});
      else layer_status(digest, text);
    };
    auto p = std::make_unique<UnpackPipeline>(ctx.content, *options.snapshots, options.unpack,
                                              std::move(layers), status);
    for (const auto& d : present) p->ready(d);
    return p;
  }
};

}  // namespace

Result<oci::Platform> parse_platform(const std::string& text) {
  auto parts = split(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return make_error(ErrorCategory::InvalidArgument, "invalid platform \"" + text + "\" (want os/arch[/variant])");
  oci::Platform p;
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

Result<PullResult> pull(image::Context& ctx, const std::string& name, const PullOptions& options,
                        const ProgressFn& progress) {
  auto ref = TRY(oci::parse_reference(name));
  std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
  auto endpoint = TRY(resolve_manifest(ref, reference, options.client));
  Puller p{ctx, options, progress, TRY(image::ScopedLease::create(ctx.leases)), *endpoint.client, ref.path, {}, nullptr, {}};
  p.emit({reference, "Pulling from " + ref.path, -1, -1, false, "", ""});

  auto top = TRY(p.accept(std::move(endpoint.top), reference));
  PullResult result;
  result.digest = top.digest;
  FetchedManifest chosen = top;
  std::string index_digest;
  if (TRY(oci::detect_kind(top.bytes, top.media_type)) == oci::DocumentKind::Index) {
    auto index = TRY(oci::parse_index(top.bytes));
    auto want = options.platform.value_or(oci::host_platform());
    auto desc = TRY_CTX(oci::select_platform(index, want), "no matching manifest for " + want.os + "/" +
                                                                want.architecture + " in " + name);
    chosen = TRY(p.manifest(desc.digest));
    if (chosen.media_type.empty()) chosen.media_type = desc.media_type;
    index_digest = top.digest;
  }
  auto manifest = TRY(oci::parse_manifest(chosen.bytes));
  auto config_bytes = TRY_CTX(p.blob(manifest.config), "config " + manifest.config.digest);
  auto config = TRY(oci::parse_image_config(config_bytes));
  if (config.diff_ids.size() != manifest.layers.size())
    return make_error(ErrorCategory::InvalidArgument, "manifest and config disagree on the layer count");
  for (const auto& l : manifest.layers) TRY(oci::layer_compression(l.media_type));

  bool existed = static_cast<bool>(ctx.images.get(manifest.config.digest));
  for (const auto& l : manifest.layers)
    if (ctx.content.exists(l.digest)) p.present.insert(l.digest);
  // An image that is already here with all its layers pulls silently
  // (dockerd prints no layer lines then, just the digest and status).
  bool complete = existed && std::all_of(manifest.layers.begin(), manifest.layers.end(),
                                         [&](const oci::Descriptor& l) { return p.present.count(l.digest) > 0; });
  if (!complete)
    for (const auto& l : manifest.layers)
      p.layer_status(l.digest, p.present.count(l.digest) ? "Already exists" : "Pulling fs layer");
  std::unique_ptr<UnpackPipeline> pipeline;
  if (options.snapshots) {
    pipeline = TRY(p.start_pipeline(manifest, config.diff_ids));
    p.pipeline = pipeline.get();
  }
  std::vector<Clock::time_point> last;
  TRY(p.fetch(p.layer_fetches(manifest, last)));

  image::NewImage img;
  img.config_digest = manifest.config.digest;
  img.manifest_digest = chosen.digest;
  img.manifest_media_type = manifest.media_type.empty() ? chosen.media_type : manifest.media_type;
  img.index_digest = index_digest;
  img.created = config.created;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const auto& l = manifest.layers[i];
    img.layers.push_back({l.digest, l.media_type, l.size, config.diff_ids[i], ""});
  }
  auto rec = TRY(ctx.images.put(img));
  if (pipeline) TRY(pipeline->wait());
  else
    for (const auto& l : manifest.layers)
      if (!p.present.count(l.digest)) p.layer_status(l.digest, "Pull complete");

  bool tag_moved = true;
  if (ref.digest.empty()) {
    auto before = ctx.images.resolve(ref.full());
    tag_moved = !before || before->id != rec.id;
    TRY(ctx.images.tag(rec.id, ref.full()));
  }
  TRY(ctx.images.add_digest_ref(rec.id, ref.name() + "@" + top.digest));
  result.image = TRY(ctx.images.get(rec.id));
  result.updated = !existed || tag_moved;
  p.emit({"", "Digest: " + top.digest, -1, -1, false, "", ""});
  p.emit({"", std::string("Status: ") + (result.updated ? "Downloaded newer image for " : "Image is up to date for ") +
                  ref.familiar(),
          -1, -1, false, "", ""});
  return result;
}

}  // namespace berth::registry
