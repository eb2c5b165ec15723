// Garbage collection: removes every blob and committed snapshot that no
// image, lease (containers, pulls) or active snapshot needs. Marks come
// from the metadata database; blobs are swept under the content store's
// exclusive lock, so a concurrent commit either finished recording its
// reference before marking or waits until the sweep is over.
#pragma once

#include <string>
#include <vector>

#include "image/image_store.hpp"
#include "image/leases.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

struct GcResult {
  std::vector<std::string> blobs;
  std::vector<std::string> snapshots;
};

// `snapshots` may be null (content only).
Result<GcResult> collect_garbage(ImageStore& images, Leases& leases,
                                 snapshot::Snapshotter* snapshots);

}  // namespace berth::image
