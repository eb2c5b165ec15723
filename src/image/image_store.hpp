// Image metadata: images (ID = config digest), their layers with diff IDs
// and chain IDs, the blobs each needs, and repo tags / digest references.
// Every change is one SQLite transaction. Deletion follows Docker's rules:
// removing a tag only untags while the image keeps other references;
// removing the last reference (or the ID) deletes the image unless a
// container uses it; --force overrides tags and stopped containers but
// never a running container.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/content_store.hpp"
#include "store/db.hpp"

namespace berth::image {

struct LayerRecord {
  std::string digest;      // blob digest (compressed, as distributed)
  std::string media_type;
  int64_t size = 0;
  std::string diff_id;     // digest of the uncompressed tar
  std::string chain_id;
};

struct ImageRecord {
  std::string id;  // config digest
  std::string manifest_digest;
  std::string manifest_media_type;
  std::string index_digest;  // empty unless the image came from an index
  std::string created;
  int64_t size = 0;  // sum of layer blob sizes
  int64_t added = 0;
  std::vector<LayerRecord> layers;
  std::vector<std::string> repo_tags;     // full references
  std::vector<std::string> repo_digests;  // full references
};

// What put() records; every blob named must already be in the content store.
struct NewImage {
  std::string config_digest;
  std::string manifest_digest;
  std::string manifest_media_type;
  std::string index_digest;
  std::string created;
  std::vector<LayerRecord> layers;  // chain_id is computed by put()
};

// How containers use an image; supplied by the engine (the default looks
// at image leases and treats them as stopped containers).
struct ImageUse {
  bool running = false;
  bool stopped = false;
  std::string container;  // one container using the image (for messages)
};
using UseChecker = std::function<ImageUse(const std::string& image_id)>;

struct DeleteItem {
  std::string untagged;  // familiar reference, or empty
  std::string deleted;   // image ID, or empty
};

class ImageStore {
 public:
  static Result<std::unique_ptr<ImageStore>> open(std::shared_ptr<store::Db> db,
                                                  ContentStore& content);

  // Records the image (no-op if present); returns it.
  Result<ImageRecord> put(const NewImage& image);
  // Points `reference` (any form Docker accepts) at `image_id`, moving it
  // from whichever image held it before.
  Result<> tag(const std::string& image_id, const std::string& reference);
  Result<> add_digest_ref(const std::string& image_id, const std::string& reference);

  Result<ImageRecord> get(const std::string& id);
  // A reference, a full or "sha256:"-prefixed ID, or a unique ID prefix.
  Result<ImageRecord> resolve(const std::string& name);
  Result<std::vector<ImageRecord>> list();

  Result<std::vector<DeleteItem>> remove(const std::string& name, bool force,
                                         const UseChecker& in_use);

  // Blobs and chain IDs referenced by any image (the GC's mark set).
  Result<std::set<std::string>> referenced_blobs();
  Result<std::set<std::string>> referenced_chain_ids();

  store::Db& db() { return *db_; }
  ContentStore& content() { return content_; }

 private:
  ImageStore(std::shared_ptr<store::Db> db, ContentStore& content)
      : db_(std::move(db)), content_(content) {}
  Result<std::vector<std::string>> refs_of(const std::string& id);
  Result<std::optional<std::string>> lookup_ref(const std::string& full);
  Result<> delete_ref(const std::string& full);
  Result<std::vector<DeleteItem>> delete_image(const std::string& id, bool force,
                                               bool removed_ref, const UseChecker& in_use);

  std::shared_ptr<store::Db> db_;
  ContentStore& content_;
};

}  // namespace berth::image
