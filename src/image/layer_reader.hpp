// Streams a layer blob from an fd as uncompressed tar bytes, in one pass:
// hashes the bytes as stored (the blob digest) and as decompressed (the
// diff ID), and stops a decompression bomb at a byte limit. gzip is
// inflated with ISA-L's igzip (several times faster than zlib), zstd with
// libzstd; the compression is detected from the magic bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "image/sha256.hpp"
#include "oci/image_manifest.hpp"

namespace berth::image {

class LayerReader {
 public:
  // `fd` is not owned and must stay open while reading.
  static Result<std::unique_ptr<LayerReader>> open(int fd, uint64_t max_uncompressed);
  virtual ~LayerReader() = default;

  // Up to `size` decompressed bytes; 0 at the end of the stream.
  Result<size_t> read(char* out, size_t size);
  // Reads (and hashes) everything left, e.g. the tar's trailing padding.
  Result<> drain();

  oci::Compression compression() const { return compression_; }
  // Valid after the stream was read to its end.
  std::string blob_digest() { return stored_hash_.digest(); }
  std::string diff_id() { return plain_hash_.digest(); }
  uint64_t uncompressed_size() const { return total_out_; }
  uint64_t stored_size() const { return total_in_; }

 protected:
  LayerReader(int fd, uint64_t limit) : fd_(fd), limit_(limit), in_(kInSize) {}
  // Refills in_ from the fd; false at end of file.
  Result<bool> fill();
  // Decompresses into out; 0 at end.
  virtual Result<size_t> decode(char* out, size_t size) = 0;

  static constexpr size_t kInSize = 1 << 20;
  int fd_;
  uint64_t limit_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false;
  oci::Compression compression_ = oci::Compression::None;
  Sha256 stored_hash_, plain_hash_;
  uint64_t total_in_ = 0, total_out_ = 0;
};

}  // namespace berth::image
