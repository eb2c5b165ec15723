// Fuzzes the request path of the API server: Beast's header parser, then
// target splitting, percent-decoding, the version prefix, the query, the
// router (with Docker's greedy name patterns) and the filters argument.
// Nothing may crash, hang or read out of bounds, whatever the bytes.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string_view>

#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/json_body.hpp"
#include "api/resolve.hpp"

namespace {

const berth::api::Router& router() {
  static const berth::api::Router r = [] {
    berth::api::Router r;
    berth::api::Handler h = [](berth::api::Exchange&) -> berth::api::Task<berth::Result<>> {
      co_return berth::ok();
    };
    for (const char* p : {"/_ping", "/version", "/info", "/events", "/containers/json",
                          "/containers/{name*}/json", "/containers/{name}/start",
                          "/images/{name*}/push", "/images/{name*}", "/images/{name*}/json",
                          "/exec/{id}/start", "/a/{x*}/b/{y*}/c"})
      (void)r.add("GET", p, h);
    return r;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(64 * 1024);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  std::string_view target;
  if (parser.is_header_done()) {
    target = parser.get().target();
    auto ct = parser.get()[http::field::content_type];
    (void)berth::api::parse_json_body(std::string_view(ct.data(), ct.size()), parser.get().body());
  } else {
    target = std::string_view(reinterpret_cast<const char*>(data), size);
  }
  auto resolved = berth::api::resolve_request(router(), "GET", target);
  // Exactly one outcome: routed, wrong method, or an error.
  if ((resolved.handler != nullptr) + resolved.wrong_method + resolved.error.has_value() != 1)
    __builtin_trap();
  (void)resolved.query.boolean("all");
  (void)resolved.query.integer("limit", 0);
  (void)berth::api::query_filters(resolved.query);
  return 0;
}
