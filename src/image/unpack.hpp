// Unpacks an image into a snapshotter: one committed snapshot per layer,
// named by its chain ID, each applied on top of the previous one. Chains
// already present (shared base layers) are reused, not re-applied.
#pragma once

#include <string>

#include "image/apply.hpp"
#include "image/image_store.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

struct UnpackOptions {
  bool allow_devices = false;
  ApplyLimits limits;
  std::function<void(uint64_t stored_bytes)> on_progress;  // see ApplyOptions
};

// Returns the chain ID of the top layer (the parent for a container).
Result<std::string> unpack(ImageStore& images, snapshot::Snapshotter& snapshots,
                           const ImageRecord& image, const UnpackOptions& options = {});

// Applies one blob into a fresh active snapshot on `parent` and commits it
// as `name`. The active snapshot is removed if anything fails.
Result<ApplyResult> apply_to_snapshot(snapshot::Snapshotter& snapshots, int blob_fd,
                                      const std::string& parent, const std::string& name,
                                      const std::string& expected_diff_id,
                                      const UnpackOptions& options);

}  // namespace berth::image
