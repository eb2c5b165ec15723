#include "engine/image_stores.hpp"

#include "base/file.hpp"

namespace berth::engine {

Result<ImageStores> open_image_stores(const std::string& root, const std::string& snapshot_driver) {
  TRY_CTX(make_dirs(root, 0711), "create data root " + root);
  ImageStores s;
  s.db = TRY(store::Db::open(root + "/berth.db"));
  s.content = TRY(image::ContentStore::open(root + "/blobs"));
  s.images = TRY(image::ImageStore::open(s.db, *s.content));
  s.leases = std::make_unique<image::Leases>(s.db);
  if (!snapshot_driver.empty()) {
    s.snapshots = TRY(snapshot::open_snapshotter(snapshot_driver, root + "/snapshots", s.db));
  }
  return s;
}

}  // namespace berth::engine
