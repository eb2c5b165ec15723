// From a request line to a route: split the target, percent-decode the
// path, strip and negotiate the /vX.Y prefix, parse the query, match the
// router. Pure and synchronous, so it is unit-tested and fuzzed directly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/query.hpp"
#include "api/router.hpp"

namespace berth::api {

struct ResolvedRequest {
  std::string path;                      // decoded, without the version prefix
  std::string version;                   // the version served
  std::optional<std::string> requested;  // the prefix the client sent
  Query query;
  PathParams params;
  const Handler* handler = nullptr;  // set when routed
  bool wrong_method = false;         // the path exists, with other methods
  std::optional<Error> error;        // the request cannot be routed
  // dockerd answers clients older than API 1.23 in plain text.
  bool plain_text_errors() const;
};

ResolvedRequest resolve_request(const Router& router, std::string_view method,
                                std::string_view target);

}  // namespace berth::api
