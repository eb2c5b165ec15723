// New images from a filesystem: `docker import` of a rootfs tarball and
// `docker commit` of a container's snapshot. Both store the layer
// uncompressed (its digest is its diff ID), derive the config (from the
// parent image for commit), apply Dockerfile-style --change lines and
// add a history entry.
#pragma once

#include <string>
#include <vector>

#include "image/context.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

struct ImportOptions {
  std::vector<std::string> changes;  // "CMD [\"sh\"]", "ENV A=b", ...
  std::string message;               // history comment; default "Imported from <source>"
  std::string source = "-";
  std::string tag;                   // optional reference
};

// Reads a (plain, gzip or zstd) rootfs tar from `fd`.
Result<ImageRecord> import_rootfs(Context& ctx, int fd, const ImportOptions& options);

struct CommitOptions {
  std::string parent_image;  // ID or reference; empty for a from-scratch container
  std::string author;
  std::string message;
  std::string created_by;    // the container's command, for history
  std::vector<std::string> changes;
  std::string tag;
  // docker commit: the container's Config becomes the image's config
  // (before `changes`), and its ID the image's "container".
  std::string container_config;
  std::string container_id;
  // Recorded as "container_config" (docker inspect's ContainerConfig) and
  // "docker_version", as dockerd does on commit; empty: left out.
  std::string own_config, docker_version;
};

// Diffs the active snapshot `key` against its parent and records the image.
Result<ImageRecord> commit_snapshot(Context& ctx, snapshot::Snapshotter& snapshots,
                                    const std::string& key, const CommitOptions& options);

}  // namespace berth::image
