#include "api/errors.hpp"

#include "base/strings.hpp"

namespace berth::api {

namespace http = boost::beast::http;

http::status status_for(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::NotFound: return http::status::not_found;
    case ErrorCategory::Conflict: return http::status::conflict;
    case ErrorCategory::InvalidArgument: return http::status::bad_request;
    case ErrorCategory::PermissionDenied: return http::status::forbidden;
    case ErrorCategory::Unavailable: return http::status::service_unavailable;
    case ErrorCategory::Internal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool good = len > 0 && i + len <= in.size();
    for (size_t k = 1; good && k < len; ++k)
      good = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
    // Overlong two-byte forms (0xC0, 0xC1) are not valid UTF-8 either.
    if (good && len == 2 && c < 0xc2) good = false;
    if (good) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string error_body(std::string_view message) {
  return "{\"message\":" + json_quote(valid_utf8(message)) + "}\n";
}

std::string error_body(const Error& error) { return error_body(error.to_string()); }

}  // namespace berth::api
