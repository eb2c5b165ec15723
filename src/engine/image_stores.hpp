// The image-side stores of one data root, opened together: the SQLite
// metadata, the blob store, images, leases and the snapshotter. berthd
// opens one set at start; the container and image services share it.
#pragma once

#include <memory>
#include <string>

#include "base/error.hpp"
#include "image/content_store.hpp"
#include "image/context.hpp"
#include "image/image_store.hpp"
#include "image/leases.hpp"
#include "snapshot/snapshotter.hpp"
#include "store/db.hpp"

namespace berth::engine {

struct ImageStores {
  std::shared_ptr<store::Db> db;
  std::unique_ptr<image::ContentStore> content;
  std::unique_ptr<image::ImageStore> images;
  std::unique_ptr<image::Leases> leases;
  std::unique_ptr<snapshot::Snapshotter> snapshots;  // null unless asked for

  image::Context context() { return {*content, *images, *leases}; }
};

// Opens (creating if needed) <root>/berth.db, <root>/blobs and, when
// `snapshot_driver` is not empty, the snapshotter at <root>/snapshots.
Result<ImageStores> open_image_stores(const std::string& root, const std::string& snapshot_driver);

}  // namespace berth::engine
