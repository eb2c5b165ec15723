// Query strings as Docker clients send them, parsed leniently the way Go's
// net/url does (a raw '{' or '"' in a value is accepted), with dockerd's
// rules for booleans and integers. Unknown parameters are simply ignored
// by whoever reads the Query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace berth::api {

// %XX decoding; '+' becomes ' ' when `plus_is_space` (query strings).
// InvalidArgument on a malformed escape.
Result<std::string> percent_decode(std::string_view in, bool plus_is_space);

class Query {
 public:
  static Result<Query> parse(std::string_view raw);

  bool has(std::string_view key) const;
  // The first value of `key`.
  std::optional<std::string> get(std::string_view key) const;
  std::string get_or(std::string_view key, std::string_view fallback) const;
  std::vector<std::string> get_all(std::string_view key) const;

  // dockerd's rule: true unless "", "0", "no", "false" or "none" (case- and
  // space-insensitive); `fallback` when the key is absent.
  bool boolean(std::string_view key, bool fallback = false) const;
  // `fallback` when absent or empty; InvalidArgument when not an integer.
  Result<int64_t> integer(std::string_view key, int64_t fallback) const;

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

bool parse_bool_value(std::string_view value);

}  // namespace berth::api
