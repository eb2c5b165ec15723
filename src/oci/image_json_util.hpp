// Typed, non-throwing field access on Boost.JSON objects for the
// image-spec parsers. A wrong type is an InvalidArgument naming the field;
// a missing optional field yields the default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "oci/json.hpp"

namespace berth::oci::detail {

Result<const json::object*> as_object(const json::value& v, std::string_view what);
Result<std::string> get_string(const json::object& o, std::string_view key, bool required = false);
Result<int64_t> get_int(const json::object& o, std::string_view key, bool required = false);
Result<bool> get_bool(const json::object& o, std::string_view key);
// A JSON array of strings; nullopt when absent or null (Docker's "Cmd": null).
Result<std::optional<std::vector<std::string>>> get_string_list(const json::object& o,
                                                                std::string_view key);
Result<std::map<std::string, std::string>> get_string_map(const json::object& o,
                                                          std::string_view key);
// Keys of an object whose values are ignored ({"80/tcp": {}}).
Result<std::vector<std::string>> get_key_set(const json::object& o, std::string_view key);

json::array to_array(const std::vector<std::string>& v);
json::object to_object(const std::map<std::string, std::string>& m);
json::object to_key_set(const std::vector<std::string>& keys);

}  // namespace berth::oci::detail
