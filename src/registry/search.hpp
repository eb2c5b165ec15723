// The v1 search API of an index, as dockerd uses it for GET /images/search:
// "host[:port]/term" searches that index, a plain term the default one
// (index.docker.io). Loopback and listed insecure indexes are tried over
// HTTPS, then plain HTTP, after a GET /v1/_ping as dockerd does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "registry/client.hpp"

namespace berth::registry {

struct SearchResult {
  std::string name;
  std::string description;
  int64_t star_count = 0;
  bool is_official = false;
  bool is_automated = false;
};

struct SearchTarget {
  std::string index;  // "docker.io" or "host[:port]"
  std::string query;  // what goes in ?q=
};

// Splits a search term into the index it names and the query.
SearchTarget search_target(const std::string& term);

// GET <index>/v1/search?q=<query>&n=<limit>; errors read like dockerd's
// (Unavailable when no endpoint answers).
Result<std::vector<SearchResult>> search(const std::string& term, int limit, const ClientOptions& options);

// Parses the index's {"results": [...]} answer.
Result<std::vector<SearchResult>> parse_search_results(const std::string& body);

}  // namespace berth::registry
