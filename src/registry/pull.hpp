// Pull: reference -> manifest (index resolved for the platform) -> config
// and layers into the content store under a lease, verified by digest and
// size -> image record, tag and RepoDigest -> optionally unpacked into a
// snapshotter. Progress is reported in dockerd's JSON-stream shape.
#pragma once

#include <optional>
#include <string>

#include "image/context.hpp"
#include "image/unpack.hpp"
#include "oci/image_manifest.hpp"
#include "registry/client.hpp"
#include "registry/progress.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::registry {

struct PullOptions {
  ClientOptions client;
  std::optional<oci::Platform> platform;        // default: the host's
  snapshot::Snapshotter* snapshots = nullptr;   // unpack into it when set
  image::UnpackOptions unpack;
};

struct PullResult {
  image::ImageRecord image;
  std::string digest;  // what the reference resolved to (index or manifest)
  bool updated = false;  // false: the tag already named this image
};

// `name` in any form Docker accepts ("busybox", "host:5000/x@sha256:..").
Result<PullResult> pull(image::Context& ctx, const std::string& name, const PullOptions& options,
                        const ProgressFn& progress = {});

// "linux/arm64/v8" -> Platform; InvalidArgument otherwise.
Result<oci::Platform> parse_platform(const std::string& text);

}  // namespace berth::registry
