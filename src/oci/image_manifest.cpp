#include "oci/image_manifest.hpp"

#include <sys/utsname.h>

#include "oci/image_json_util.hpp"
#include "oci/json.hpp"

namespace berth::oci {

using namespace detail;

Result<Compression> layer_compression(std::string_view media_type) {
  if (media_type == media::kOciLayer || media_type == "application/vnd.docker.image.rootfs.diff.tar")
    return Compression::None;
  if (media_type == media::kOciLayerGzip || media_type == media::kDockerLayerGzip ||
      media_type == media::kDockerLayerForeignGzip || media_type == media::kOciLayerNondistGzip)
    return Compression::Gzip;
  if (media_type == media::kOciLayerZstd) return Compression::Zstd;
  return make_error(ErrorCategory::InvalidArgument,
                    "unsupported layer media type " + std::string(media_type));
}

Result<> validate_digest(std::string_view digest) {
  constexpr std::string_view prefix = "sha256:";
  bool good = digest.size() == prefix.size() + 64 && digest.substr(0, prefix.size()) == prefix;
  for (size_t i = prefix.size(); good && i < digest.size(); ++i) {
    char c = digest[i];
    good = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
  if (!good)
    return make_error(ErrorCategory::InvalidArgument,
                      "invalid digest \"" + std::string(digest.substr(0, 80)) + "\"");
  return ok();
}

std::string_view digest_hex(std::string_view digest) {
  auto colon = digest.find(':');
  return colon == std::string_view::npos ? digest : digest.substr(colon + 1);
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
  utsname u{};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") p.architecture = "amd64";
  else if (m == "aarch64") { p.architecture = "arm64"; p.variant = "v8"; }
  else if (m.rfind("armv7", 0) == 0) { p.architecture = "arm"; p.variant = "v7"; }
  else if (m == "i686" || m == "i386") p.architecture = "386";
  else p.architecture = m;
  return p;
}

bool platform_matches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  // arm64 images rarely name a variant; treat "" and v8 as the same.
  auto norm = [&](const std::string& v) {
    return (want.architecture == "arm64" && v == "v8") ? std::string() : v;
  };
  return want.variant.empty() || have.variant.empty() || norm(want.variant) == norm(have.variant);
}

namespace {

Result<Platform> parse_platform(const json::object& o) {
  Platform p;
  p.os = TRY(get_string(o, "os"));
  p.architecture = TRY(get_string(o, "architecture"));
  p.variant = TRY(get_string(o, "variant"));
  p.os_version = TRY(get_string(o, "os.version"));
  p.os_features = TRY(get_string_list(o, "os.features")).value_or(std::vector<std::string>{});
  return p;
}

Result<Descriptor> parse_descriptor(const json::value& v) {
  auto* o = TRY(as_object(v, "descriptor"));
  Descriptor d;
  d.media_type = TRY(get_string(*o, "mediaType"));
  d.digest = TRY(get_string(*o, "digest", true));
  TRY_CTX(validate_digest(d.digest), "descriptor");
  d.size = TRY(get_int(*o, "size"));
  if (d.size < 0) return make_error(ErrorCategory::InvalidArgument, "negative descriptor size");
  d.urls = TRY(get_string_list(*o, "urls")).value_or(std::vector<std::string>{});
  d.annotations = TRY(get_string_map(*o, "annotations"));
  if (auto* p = o->if_contains("platform"); p && !p->is_null()) {
    auto* po = TRY(as_object(*p, "platform"));
    d.platform = TRY(parse_platform(*po));
  }
  return d;
}

json::object descriptor_json(const Descriptor& d) {
  json::object o;
  o["mediaType"] = d.media_type;
  o["digest"] = d.digest;
  o["size"] = d.size;
  if (!d.urls.empty()) o["urls"] = to_array(d.urls);
  if (!d.annotations.empty()) o["annotations"] = to_object(d.annotations);
  if (d.platform) {
    json::object p;
    p["architecture"] = d.platform->architecture;
    p["os"] = d.platform->os;
    if (!d.platform->os_version.empty()) p["os.version"] = d.platform->os_version;
    if (!d.platform->os_features.empty()) p["os.features"] = to_array(d.platform->os_features);
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    o["platform"] = std::move(p);
  }
  return o;
}

Result<const json::array*> get_array(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  static const json::array empty;
  if (!v || v->is_null()) return &empty;
  if (!v->is_array())
    return make_error(ErrorCategory::InvalidArgument,
                      "field \"" + std::string(key) + "\" is not an array");
  return &v->get_array();
}

}  // namespace

Result<DocumentKind> detect_kind(std::string_view bytes, std::string_view hint) {
  if (hint == media::kOciIndex || hint == media::kDockerManifestList) return DocumentKind::Index;
  if (hint == media::kOciManifest || hint == media::kDockerManifest) return DocumentKind::Manifest;
  auto value = TRY(parse_json(bytes));
  auto* o = TRY(as_object(value, "document"));
  auto mt = TRY(get_string(*o, "mediaType"));
  if (mt == media::kOciIndex || mt == media::kDockerManifestList) return DocumentKind::Index;
  if (mt == media::kOciManifest || mt == media::kDockerManifest) return DocumentKind::Manifest;
  if (o->contains("manifests")) return DocumentKind::Index;
  if (o->contains("config") && o->contains("layers")) return DocumentKind::Manifest;
  return make_error(ErrorCategory::InvalidArgument, "not an image manifest or index");
}

Result<Manifest> parse_manifest(std::string_view bytes) {
  auto value = TRY(parse_json(bytes));
  auto* o = TRY(as_object(value, "manifest"));
  Manifest m;
  m.schema_version = static_cast<int>(TRY(get_int(*o, "schemaVersion", true)));
  if (m.schema_version != 2)
    return make_error(ErrorCategory::InvalidArgument,
                      "unsupported manifest schemaVersion " + std::to_string(m.schema_version));
  m.media_type = TRY(get_string(*o, "mediaType"));
  if (!m.media_type.empty() && m.media_type != media::kOciManifest &&
      m.media_type != media::kDockerManifest)
    return make_error(ErrorCategory::InvalidArgument, "not a manifest: " + m.media_type);
  auto* config = o->if_contains("config");
  if (!config) return make_error(ErrorCategory::InvalidArgument, "manifest has no config");
  m.config = TRY_CTX(parse_descriptor(*config), "config");
  for (const auto& l : *TRY(get_array(*o, "layers")))
    m.layers.push_back(TRY_CTX(parse_descriptor(l), "layer"));
  m.annotations = TRY(get_string_map(*o, "annotations"));
  return m;
}

Result<Index> parse_index(std::string_view bytes) {
  auto value = TRY(parse_json(bytes));
  auto* o = TRY(as_object(value, "index"));
  Index idx;
  idx.schema_version = static_cast<int>(TRY(get_int(*o, "schemaVersion", true)));
  if (idx.schema_version != 2)
    return make_error(ErrorCategory::InvalidArgument,
                      "unsupported index schemaVersion " + std::to_string(idx.schema_version));
  idx.media_type = TRY(get_string(*o, "mediaType"));
  if (!idx.media_type.empty() && idx.media_type != media::kOciIndex &&
      idx.media_type != media::kDockerManifestList)
    return make_error(ErrorCategory::InvalidArgument, "not an index: " + idx.media_type);
  for (const auto& d : *TRY(get_array(*o, "manifests")))
    idx.manifests.push_back(TRY_CTX(parse_descriptor(d), "manifest"));
  idx.annotations = TRY(get_string_map(*o, "annotations"));
  return idx;
}

std::string to_json(const Manifest& m) {
  json::object o;
  o["schemaVersion"] = m.schema_version;
  o["mediaType"] = m.media_type.empty() ? std::string(media::kOciManifest) : m.media_type;
  o["config"] = descriptor_json(m.config);
  json::array layers;
  for (const auto& l : m.layers) layers.emplace_back(descriptor_json(l));
  o["layers"] = std::move(layers);
  if (!m.annotations.empty()) o["annotations"] = to_object(m.annotations);
  return json::serialize(o);
}

std::string to_json(const Index& idx) {
  json::object o;
  o["schemaVersion"] = idx.schema_version;
  o["mediaType"] = idx.media_type.empty() ? std::string(media::kOciIndex) : idx.media_type;
  json::array ms;
  for (const auto& d : idx.manifests) ms.emplace_back(descriptor_json(d));
  o["manifests"] = std::move(ms);
  if (!idx.annotations.empty()) o["annotations"] = to_object(idx.annotations);
  return json::serialize(o);
}

Result<Descriptor> select_platform(const Index& index, const Platform& want) {
  std::string present;
  for (const auto& d : index.manifests) {
    if (!d.platform) continue;
    if (platform_matches(want, *d.platform)) return d;
    present += (present.empty() ? "" : ", ") + d.platform->os + "/" + d.platform->architecture +
               (d.platform->variant.empty() ? "" : "/" + d.platform->variant);
  }
  // A single entry without a platform is what `docker save`-style
  // layouts and skopeo's oci: output contain.
  if (index.manifests.size() == 1 && !index.manifests[0].platform) return index.manifests[0];
  return make_error(ErrorCategory::NotFound,
                    "no manifest for " + want.os + "/" + want.architecture + " (have: " +
                        (present.empty() ? "none" : present) + ")");
}

}  // namespace berth::oci
