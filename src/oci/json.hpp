// Boost.JSON helpers shared by the OCI types: parsing that returns Result
// instead of throwing, and typed field access with useful error messages.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::oci {

namespace json = boost::json;

// Parses a whole JSON text; errors say where ("line 3 col 7").
Result<json::value> parse_json(std::string_view text);

// Serialises with a stable key order (the order the object holds).
std::string to_json(const json::value& value);

}  // namespace berth::oci
