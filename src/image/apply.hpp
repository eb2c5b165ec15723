// Secure, streaming layer apply: a tar (plain, gzip or zstd) is unpacked
// into a snapshot directory without a temporary copy, and nothing outside
// that directory is ever touched.
//
// Every path is resolved relative to the layer root with openat2
// (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so ".." and symlinks -- from
// this layer or an earlier one -- cannot leave it; final components are
// created with O_EXCL/O_NOFOLLOW and changed through the fd just created,
// so a swapped symlink cannot redirect a chmod or chown. Entries naming
// ".." are refused; absolute names are taken as relative to the root.
// Device nodes are refused unless allowed. Limits stop decompression
// bombs. Errors name the entry that was refused.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

struct ApplyLimits {
  uint64_t max_bytes = 64ull << 30;      // decompressed tar stream
  uint64_t max_entries = 4'000'000;
  uint64_t max_file_size = 64ull << 30;  // apparent size, sparse files too
};

struct ApplyOptions {
  snapshot::WhiteoutStyle whiteouts = snapshot::WhiteoutStyle::Delete;
  bool allow_devices = false;   // char/block nodes (FIFOs are always kept)
  bool keep_owners = true;      // chown to the tar's uid/gid (needs root)
  ApplyLimits limits;
  // Overlay: the parent layers' trees, nearest first. Hardlinks to files
  // of a lower layer are copied up from here, and parent directories this
  // layer must create in the upper dir take their metadata from here.
  std::vector<std::string> lowers;
  std::string expected_diff_id;  // verified after the last byte if set
  // Called as the blob is consumed with the bytes read so far (as stored,
  // i.e. compressed), for "Extracting" progress.
  std::function<void(uint64_t stored_bytes)> on_progress;
  // Threads creating regular files beside the one parsing the tar: 0 picks
  // one per CPU (at most 4), 1 writes everything inline.
  unsigned threads = 0;
};

struct ApplyResult {
  std::string diff_id;      // sha256 of the uncompressed tar
  std::string blob_digest;  // sha256 of the bytes as read
  uint64_t size = 0;        // uncompressed bytes
  uint64_t entries = 0;
};

// Applies the layer read from `layer_fd` onto the directory `root_fd`.
Result<ApplyResult> apply_layer(int root_fd, int layer_fd, const ApplyOptions& options);

}  // namespace berth::image
