// Small string helpers that the standard library lacks.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth {

std::vector<std::string> split(std::string_view s, char sep);
// Splits at the first `sep`; second is empty and found=false without one.
struct SplitPair {
  std::string_view first;
  std::string_view second;
  bool found;
};
SplitPair split_once(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
// A JSON string literal, quotes included.
std::string json_quote(std::string_view s);

// Parses the whole of `s` as an integer in `base`; no sign games, no junk.
template <std::integral T>
Result<T> parse_int(std::string_view s, int base = 10) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return make_error(ErrorCategory::InvalidArgument, "invalid integer \"" + std::string(s) + "\"");
  return value;
}

}  // namespace berth
