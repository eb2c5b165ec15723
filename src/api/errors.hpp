// The one place where an engine error category becomes an HTTP status, and
// the body dockerd sends with it: {"message":"..."}.
//
//   NotFound 404 · Conflict 409 · InvalidArgument 400 · PermissionDenied 403
//   Unavailable 503 · Internal 500
#pragma once

#include <boost/beast/http/status.hpp>
#include <string>

#include "base/error.hpp"

namespace berth::api {

boost::beast::http::status status_for(ErrorCategory category);
// {"message":"<context: message: strerror>"} plus a trailing newline, as
// dockerd writes it.
std::string error_body(const Error& error);
std::string error_body(std::string_view message);

// Replaces invalid UTF-8 with U+FFFD, as Go's encoder does, so a body
// built from hostile bytes (a path, a name) is still valid JSON.
std::string valid_utf8(std::string_view text);

}  // namespace berth::api
