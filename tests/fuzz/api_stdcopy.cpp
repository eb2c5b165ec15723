// Fuzzes the 8-byte stream-framing decoder: arbitrary bytes fed in
// arbitrary splits never crash it, and every decoded payload is the
// matching slice of the input.
#include <cstdint>
#include <string>
#include <string_view>

#include "api/stdcopy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] % 17 + 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  berth::api::FrameDecoder decoder(1 << 20);
  size_t consumed = 0;
  for (size_t i = 0; i < input.size(); i += step) {
    auto frames = decoder.feed(input.substr(i, step));
    if (!frames) return 0;
    for (const auto& f : *frames) {
      // Header bytes 1-3 are padding that dockerd ignores; the stream id
      // and the payload must be exactly what was sent.
      if (static_cast<uint8_t>(input[consumed]) != static_cast<uint8_t>(f.stream)) __builtin_trap();
      if (input.substr(consumed + berth::api::kFrameHeaderSize, f.data.size()) != f.data)
        __builtin_trap();
      consumed += berth::api::kFrameHeaderSize + f.data.size();
    }
  }
  if (consumed > input.size()) __builtin_trap();
  return 0;
}
