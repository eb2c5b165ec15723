#include "registry/distribution.hpp"

#include "image/sha256.hpp"
#include "oci/image_config.hpp"
#include "oci/image_reference.hpp"
#include "registry/resolve.hpp"

namespace berth::registry {
namespace {

// Image configs are a few KiB; anything this large is not one.
constexpr int64_t kMaxConfigBytes = 8 << 20;

Result<oci::Platform> config_platform(Client& client, const std::string& repo, const oci::Descriptor& config) {
  if (config.size > kMaxConfigBytes)
    return make_error(ErrorCategory::InvalidArgument, "image config " + config.digest + " is too large");
  TRY(oci::validate_digest(config.digest));
  auto req = client.base_request("GET", "/v2/" + repo + "/blobs/" + config.digest);
  auto r = TRY(client.request(req, pull_scope(repo)));
  if (r.status != 200) return tl::unexpected(response_error(r, req));
  if (image::sha256_digest(r.body) != config.digest)
    return make_error(ErrorCategory::InvalidArgument, "image config verification failed for " + config.digest);
  auto parsed = TRY_CTX(oci::parse_image_config(r.body), "image config " + config.digest);
  oci::Platform p;
  p.os = parsed.os;
  p.architecture = parsed.architecture;
  p.variant = parsed.variant;
  return p;
}

// The Content-Type the registry served (what dockerd reports), else the
// document's own mediaType, else the OCI type its shape implies.
std::string served_type(const FetchedManifest& top, const std::string& declared, std::string_view fallback) {
  if (!top.media_type.empty()) return top.media_type;
  return declared.empty() ? std::string(fallback) : declared;
}

}  // namespace

Result<DistributionInfo> inspect_distribution(const std::string& name, const ClientOptions& options) {
  auto ref = TRY(oci::parse_reference(name));
  auto resolved = TRY(resolve_manifest(ref, ref.digest.empty() ? ref.tag : ref.digest, options));
  const auto& top = resolved.top;
  DistributionInfo info;
  auto kind = TRY(oci::detect_kind(top.bytes, top.media_type));
  info.descriptor.digest = top.digest;
  info.descriptor.size = static_cast<int64_t>(top.bytes.size());
  if (kind == oci::DocumentKind::Index) {
    auto index = TRY(oci::parse_index(top.bytes));
    info.descriptor.media_type = served_type(top, index.media_type, oci::media::kOciIndex);
    for (const auto& m : index.manifests)
      if (m.platform) info.platforms.push_back(*m.platform);
    return info;
  }
  auto manifest = TRY(oci::parse_manifest(top.bytes));
  info.descriptor.media_type = served_type(top, manifest.media_type, oci::media::kOciManifest);
  // As dockerd: a config that cannot be read leaves the platforms empty.
  auto platform = config_platform(*resolved.client, ref.path, manifest.config);
  if (platform && (!platform->os.empty() || !platform->architecture.empty())) info.platforms.push_back(*platform);
  return info;
}

}  // namespace berth::registry
