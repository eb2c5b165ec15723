#include "image/layer_reader.hpp"

#include <isa-l/igzip_lib.h>
#include <unistd.h>
#include <zstd.h>

#include <cstring>

namespace berth::image {

namespace {

class PlainReader final : public LayerReader {
 public:
  PlainReader(int fd, uint64_t limit) : LayerReader(fd, limit) {}

 protected:
  Result<size_t> decode(char* out, size_t size) override {
    if (in_pos_ == in_len_ && !TRY(fill())) return 0;
    size_t n = std::min(size, in_len_ - in_pos_);
    std::memcpy(out, in_.data() + in_pos_, n);
    in_pos_ += n;
    return n;
  }
};

class GzipReader final : public LayerReader {
 public:
  GzipReader(int fd, uint64_t limit) : LayerReader(fd, limit) {
    compression_ = oci::Compression::Gzip;
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

 protected:
  Result<size_t> decode(char* out, size_t size) override {
    while (true) {
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        // Another member follows (concatenated gzip, as pigz may write)?
        if (in_pos_ == in_len_ && !TRY(fill())) return 0;
        if (in_len_ - in_pos_ < 2 || static_cast<unsigned char>(in_[in_pos_]) != 0x1f ||
            static_cast<unsigned char>(in_[in_pos_ + 1]) != 0x8b)
          return 0;  // trailing padding, as gzip(1) tolerates
        isal_inflate_reset(&state_);
        state_.crc_flag = ISAL_GZIP;
      }
      if (in_pos_ == in_len_ && !TRY(fill()))
        return make_error(ErrorCategory::InvalidArgument, "truncated gzip stream");
      state_.next_in = reinterpret_cast<uint8_t*>(in_.data() + in_pos_);
      state_.avail_in = static_cast<uint32_t>(in_len_ - in_pos_);
      state_.next_out = reinterpret_cast<uint8_t*>(out);
      state_.avail_out = static_cast<uint32_t>(size);
      int rc = isal_inflate(&state_);
      in_pos_ = in_len_ - state_.avail_in;
      if (rc < 0)
        return make_error(ErrorCategory::InvalidArgument,
                          "corrupt gzip stream (igzip error " + std::to_string(rc) + ")");
      size_t produced = size - state_.avail_out;
      if (produced > 0) return produced;
    }
  }

 private:
  inflate_state state_{};
};

class ZstdReader final : public LayerReader {
 public:
  ZstdReader(int fd, uint64_t limit) : LayerReader(fd, limit), ctx_(ZSTD_createDCtx()) {
    compression_ = oci::Compression::Zstd;
  }
  ~ZstdReader() override { ZSTD_freeDCtx(ctx_); }

 protected:
  Result<size_t> decode(char* out, size_t size) override {
    while (true) {
      if (in_pos_ == in_len_ && !TRY(fill())) {
        if (!frame_done_) return make_error(ErrorCategory::InvalidArgument, "truncated zstd stream");
        return 0;
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      ZSTD_outBuffer o{out, size, 0};
      size_t rc = ZSTD_decompressStream(ctx_, &o, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc))
        return make_error(ErrorCategory::InvalidArgument,
                          std::string("corrupt zstd stream: ") + ZSTD_getErrorName(rc));
      frame_done_ = rc == 0;
      if (o.pos > 0) return o.pos;
    }
  }

 private:
  ZSTD_DCtx* ctx_;
  bool frame_done_ = true;
};

}  // namespace

Result<bool> LayerReader::fill() {
  if (eof_) return false;
  while (true) {
    ssize_t n = ::read(fd_, in_.data(), in_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read layer");
    }
    if (n == 0) {
      eof_ = true;
      in_pos_ = in_len_ = 0;
      return false;
    }
    stored_hash_.update(in_.data(), static_cast<size_t>(n));
    total_in_ += static_cast<uint64_t>(n);
    in_pos_ = 0;
    in_len_ = static_cast<size_t>(n);
    return true;
  }
}

Result<size_t> LayerReader::read(char* out, size_t size) {
  size_t n = TRY(decode(out, size));
  total_out_ += n;
  if (total_out_ > limit_)
    return make_error(ErrorCategory::InvalidArgument,
                      "layer expands beyond " + std::to_string(limit_) +
                          " bytes (decompression bomb?)");
  plain_hash_.update(out, n);
  return n;
}

Result<> LayerReader::drain() {
  std::vector<char> buf(1 << 16);
  while (TRY(read(buf.data(), buf.size())) > 0) {
  }
  // Bytes after the end of the compressed stream still belong to the blob.
  while (TRY(fill())) in_pos_ = in_len_;
  return ok();
}

Result<std::unique_ptr<LayerReader>> LayerReader::open(int fd, uint64_t max_uncompressed) {
  // Peek at the magic without consuming: read the first block into a
  // plain reader's buffer, then hand the buffer to the right decoder.
  std::unique_ptr<LayerReader> probe = std::make_unique<PlainReader>(fd, max_uncompressed);
  bool any = TRY(probe->fill());
  auto* magic = reinterpret_cast<const unsigned char*>(probe->in_.data());
  std::unique_ptr<LayerReader> r;
  if (any && probe->in_len_ >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    r = std::make_unique<GzipReader>(fd, max_uncompressed);
  else if (any && probe->in_len_ >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
           magic[3] == 0xfd)
    r = std::make_unique<ZstdReader>(fd, max_uncompressed);
  else
    return probe;
  std::swap(r->in_, probe->in_);
  r->in_len_ = probe->in_len_;
  r->total_in_ = probe->total_in_;
  r->stored_hash_.update(r->in_.data(), r->in_len_);
  r->eof_ = probe->eof_;
  return r;
}

}  // namespace berth::image
