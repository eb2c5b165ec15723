// JSON request bodies (container create, exec create, network create, ...)
// read and checked the way dockerd does before a handler sees them.
#pragma once

#include <boost/json/value.hpp>

#include "api/exchange.hpp"

namespace berth::api {

// Reads the body (up to `limit`, 0 = the server's default) and parses it.
// An empty body is JSON null (dockerd treats it as an empty object where
// that makes sense). InvalidArgument for a Content-Type other than
// application/json, for malformed JSON and for an oversized body.
Task<Result<boost::json::value>> read_json_body(Exchange& exchange, size_t limit = 0);

// The same checks on a body already in memory (for tests and fuzzing).
Result<boost::json::value> parse_json_body(std::string_view content_type, std::string_view body);

}  // namespace berth::api
