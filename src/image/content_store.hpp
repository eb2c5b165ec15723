// Content-addressed blob store: <root>/sha256/<hex>.
//
// A blob becomes visible under its digest only complete and verified:
// it is written to an anonymous O_TMPFILE in <root>/ingest, hashed while
// written, checked against the expected digest, fsync'd, then linked into
// place and the directory fsync'd. A crash at any point leaves either no
// blob or the whole blob, and no temp file to clean up.
//
// Garbage collection must never remove a blob an image, a container or an
// in-flight pull uses. Image and lease references live in the metadata
// database (image/image_store.hpp, image/leases.hpp); the store only
// serialises commits against collection with a lock file, so a commit
// that recorded its reference before linking is never swept.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "image/sha256.hpp"

namespace berth::image {

struct BlobInfo {
  std::string digest;
  int64_t size = 0;
};

class ContentStore;

// Streams one blob in; commit() verifies and publishes it.
class BlobWriter {
 public:
  BlobWriter(ContentStore* store, UniqueFd fd) : store_(store), fd_(std::move(fd)) {}
  Result<> write(const void* data, size_t size);
  Result<> write(std::string_view data) { return write(data.data(), data.size()); }
  int64_t written() const { return size_; }
  // Verifies against `expected` (if not empty) and links the blob in.
  // `before_link` runs after verification, under the collection lock,
  // before the blob becomes visible: record references there.
  Result<BlobInfo> commit(std::string_view expected = {},
                          const std::function<Result<>(const BlobInfo&)>& before_link = {});

 private:
  ContentStore* store_;
  UniqueFd fd_;
  Sha256 hash_;
  int64_t size_ = 0;
};

class ContentStore {
 public:
  // `root` is <data-root>/blobs; created if missing.
  static Result<std::unique_ptr<ContentStore>> open(const std::string& root);

  Result<BlobWriter> writer();
  Result<BlobInfo> put(std::string_view data, std::string_view expected = {},
                       const std::function<Result<>(const BlobInfo&)>& before_link = {});

  bool exists(std::string_view digest) const;
  Result<int64_t> size(std::string_view digest) const;
  Result<UniqueFd> open_blob(std::string_view digest) const;
  Result<std::string> read(std::string_view digest, size_t limit = 64u << 20) const;
  // Every blob digest present on disk.
  Result<std::vector<std::string>> list() const;
  std::string path(std::string_view digest) const;
  const std::string& root() const { return root_; }

  // Removes every blob not in the set `mark` returns; returns the digests
  // removed. `mark` runs under the exclusive collection lock, so no commit
  // can add a reference between marking and sweeping.
  Result<std::vector<std::string>> sweep(
      const std::function<Result<std::set<std::string>>()>& mark);

  // Shared (commit) or exclusive (gc) lock over <root>/gc.lock.
  Result<UniqueFd> lock(bool exclusive) const;

 private:
  friend class BlobWriter;
  ContentStore(std::string root, UniqueFd dir, UniqueFd ingest)
      : root_(std::move(root)), dir_(std::move(dir)), ingest_(std::move(ingest)) {}

  std::string root_;
  UniqueFd dir_;     // <root>/sha256
  UniqueFd ingest_;  // <root>/ingest
};

}  // namespace berth::image
