#include "api/json_body.hpp"

#include <boost/json.hpp>

#include "base/strings.hpp"

namespace berth::api {

Result<boost::json::value> parse_json_body(std::string_view content_type, std::string_view body) {
  if (trim(body).empty()) return boost::json::value(nullptr);
  // dockerd's CheckForJSON: a body must say it is JSON (a missing header
  // is tolerated, as older clients omit it).
  auto media = to_lower(trim(split_once(content_type, ';').first));
  if (!media.empty() && media != "application/json")
    return make_error(ErrorCategory::InvalidArgument,
                      "unsupported Content-Type header (" + std::string(content_type) +
                          "): must be 'application/json'");
  boost::json::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) return make_error(ErrorCategory::InvalidArgument, "invalid JSON: " + ec.message());
  return value;
}

Task<Result<boost::json::value>> read_json_body(Exchange& ex, size_t limit) {
  auto body = co_await ex.read_body(limit);
  if (!body) co_return tl::unexpected(body.error());
  co_return parse_json_body(ex.header("Content-Type"), *body);
}

}  // namespace berth::api
