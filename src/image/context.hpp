// The stores an image operation works on, and the steps every way of
// creating an image shares (load, OCI layout, import, commit): put blobs
// under a lease so GC cannot take them mid-operation, then write an OCI
// manifest and record the image in one transaction.
#pragma once

#include <string>
#include <vector>

#include "image/content_store.hpp"
#include "image/image_store.hpp"
#include "image/leases.hpp"

namespace berth::image {

struct Context {
  ContentStore& content;
  ImageStore& images;
  Leases& leases;
};

// A lease released (deleted) when the operation ends, however it ends.
class ScopedLease {
 public:
  static Result<ScopedLease> create(Leases& leases);
  ScopedLease(ScopedLease&& other) noexcept : leases_(other.leases_), id_(std::move(other.id_)) {
    other.id_.clear();
  }
  ScopedLease(const ScopedLease&) = delete;
  ScopedLease& operator=(const ScopedLease&) = delete;
  ScopedLease& operator=(ScopedLease&&) = delete;
  ~ScopedLease();
  const std::string& id() const { return id_; }
  // The before_link hook that adds a committed blob to this lease.
  std::function<Result<>(const BlobInfo&)> hold();

 private:
  ScopedLease(Leases& leases, std::string id) : leases_(leases), id_(std::move(id)) {}
  Leases& leases_;
  std::string id_;
};

struct LayerBlob {
  std::string digest;
  std::string media_type;
  int64_t size = 0;
  std::string diff_id;
};

// Stores an OCI manifest for `config` + `layers` (blobs already in the
// store, under `lease`) and records the image.
Result<ImageRecord> record_image(Context& ctx, ScopedLease& lease, const BlobInfo& config,
                                 const std::vector<LayerBlob>& layers, const std::string& created);

// The media type for a layer blob, from its first bytes.
Result<std::string> sniff_layer_media_type(ContentStore& content, const std::string& digest);

// Decompresses a stored layer blob fully to learn its diff ID and size.
struct LayerDigest {
  std::string diff_id;
  uint64_t size = 0;
};
Result<LayerDigest> layer_diff_id(ContentStore& content, const std::string& digest);

}  // namespace berth::image
