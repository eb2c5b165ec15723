// Docker's JSON shapes for containers: inspect (GET /containers/{id}/json)
// and the list entries of GET /containers/json, with dockerd's
// human-readable Status ("Up 3 seconds", "Exited (0) 2 minutes ago").
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/container.hpp"

namespace berth::api {

boost::json::value container_inspect_json(const engine::Container& c, std::string_view driver);
boost::json::value container_summary_json(const engine::Container& c);

// dockerd's units.HumanDuration.
std::string human_duration(int64_t seconds);
std::string container_status_text(const engine::Container& c, int64_t now_unix);
// RFC 3339 (fraction optional) -> Unix nanoseconds; 0 for the zero time.
int64_t rfc3339_nanos(std::string_view text);

}  // namespace berth::api
