#include "api/stdcopy.hpp"

#include <algorithm>
#include <limits>

#include "api/version.hpp"

namespace berth::api {

std::string_view hijack_content_type(std::string_view api_version, bool tty) {
  if (!tty && compare_versions(api_version, "1.42") >= 0)
    return "application/vnd.docker.multiplexed-stream";
  return "application/vnd.docker.raw-stream";
}

void append_frame(std::string& out, StdStream stream, std::string_view payload) {
  constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
  do {
    size_t n = std::min(payload.size(), kMax);
    char header[kFrameHeaderSize] = {static_cast<char>(stream), 0, 0, 0,
                                     static_cast<char>((n >> 24) & 0xff),
                                     static_cast<char>((n >> 16) & 0xff),
                                     static_cast<char>((n >> 8) & 0xff),
                                     static_cast<char>(n & 0xff)};
    out.append(header, sizeof header);
    out.append(payload.substr(0, n));
    payload.remove_prefix(n);
  } while (!payload.empty());
}

std::string frame(StdStream stream, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  append_frame(out, stream, payload);
  return out;
}

Result<std::vector<FrameDecoder::Frame>> FrameDecoder::feed(std::string_view bytes) {
  pending_.append(bytes);
  std::vector<Frame> frames;
  size_t pos = 0;
  while (pending_.size() - pos >= kFrameHeaderSize) {
    auto b = [&](size_t i) { return static_cast<uint8_t>(pending_[pos + i]); };
    if (b(0) > static_cast<uint8_t>(StdStream::Systemerr))
      return make_error(ErrorCategory::InvalidArgument,
                        "stream framing: unknown stream id " + std::to_string(b(0)));
    size_t size = (size_t{b(4)} << 24) | (size_t{b(5)} << 16) | (size_t{b(6)} << 8) | b(7);
    if (size > max_frame_)
      return make_error(ErrorCategory::InvalidArgument,
                        "stream framing: frame of " + std::to_string(size) + " bytes is too large");
    if (pending_.size() - pos - kFrameHeaderSize < size) break;
    frames.push_back({static_cast<StdStream>(b(0)), pending_.substr(pos + kFrameHeaderSize, size)});
    pos += kFrameHeaderSize + size;
  }
  pending_.erase(0, pos);
  return frames;
}

}  // namespace berth::api
