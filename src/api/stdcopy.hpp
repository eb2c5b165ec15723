// Docker's stream multiplexing for non-TTY attach, exec and logs: each
// frame is an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]
// followed by `size` bytes. With a TTY the stream is raw, no headers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::api {

enum class StdStream : uint8_t { Stdin = 0, Stdout = 1, Stderr = 2, Systemerr = 3 };

inline constexpr size_t kFrameHeaderSize = 8;

// The Content-Type of a hijacked attach/exec stream, as dockerd picks it:
// multiplexed (framed) for API >= 1.42 without a TTY, raw otherwise.
std::string_view hijack_content_type(std::string_view api_version, bool tty);

// Appends one frame (or several, for payloads above 4 GiB - 1) to `out`.
void append_frame(std::string& out, StdStream stream, std::string_view payload);
std::string frame(StdStream stream, std::string_view payload);

// Incremental decoder: feed it bytes as they arrive, collect whole frames.
class FrameDecoder {
 public:
  struct Frame {
    StdStream stream;
    std::string data;
  };
  explicit FrameDecoder(size_t max_frame = 64u << 20) : max_frame_(max_frame) {}

  // InvalidArgument on an unknown stream id or a frame above max_frame;
  // the decoder is unusable afterwards.
  Result<std::vector<Frame>> feed(std::string_view bytes);
  // True when no partial frame is buffered (a clean end of stream).
  bool idle() const { return pending_.empty(); }

 private:
  size_t max_frame_;
  std::string pending_;
};

}  // namespace berth::api
