// Fuzzes base's parsing helpers: integer parsing and string splitting must
// never crash or read out of bounds, whatever the input.
#include <cstdint>
#include <string_view>

#include "base/strings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)berth::parse_int<int64_t>(input);
  (void)berth::parse_int<uint32_t>(input, 16);
  auto parts = berth::split(input, ':');
  auto joined = berth::join(parts, ":");
  if (joined != input) __builtin_trap();  // split/join must round-trip
  (void)berth::json_quote(input);
  (void)berth::trim(input);
  return 0;
}
