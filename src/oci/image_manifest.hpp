// OCI image-spec manifests and indexes, and their Docker schema2
// equivalents (manifest, manifest list). Both are read; berth writes OCI.
// Parsers never throw and keep no reference to the input: callers that
// need digests to round-trip store the original bytes beside the parse.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::oci {

namespace media {
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciLayerNondistGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayerForeignGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media

enum class Compression { None, Gzip, Zstd };

// The compression a layer media type announces; InvalidArgument if the
// type is not a layer type berth can apply.
Result<Compression> layer_compression(std::string_view media_type);

// "sha256:<64 lowercase hex>"; berth supports only sha256.
Result<> validate_digest(std::string_view digest);
// The hex part of a valid digest.
std::string_view digest_hex(std::string_view digest);

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;
};

// The platform berth runs on (linux/amd64, linux/arm64/v8, ...).
Platform host_platform();
// True if an image for `have` runs on `want` (os and arch equal; the
// variant must match when both name one).
bool platform_matches(const Platform& want, const Platform& have);

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
};

struct Manifest {
  int schema_version = 2;
  std::string media_type;  // may be empty in OCI manifests
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

struct Index {
  int schema_version = 2;
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
};

enum class DocumentKind { Index, Manifest };

// Decides from the declared media type (the HTTP Content-Type or a
// descriptor), falling back to the document's own mediaType and shape.
Result<DocumentKind> detect_kind(std::string_view bytes, std::string_view media_type_hint = {});

Result<Manifest> parse_manifest(std::string_view bytes);
Result<Index> parse_index(std::string_view bytes);
std::string to_json(const Manifest& manifest);
std::string to_json(const Index& index);

// The descriptor of `index` for `want`; NotFound names the platforms present.
Result<Descriptor> select_platform(const Index& index, const Platform& want);

}  // namespace berth::oci
