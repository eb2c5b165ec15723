// Docker API versions: the `/vX.Y` path prefix, the range berthd serves and
// dockerd's dotted-number comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::api {

inline constexpr std::string_view kApiVersion = "1.44";  // advertised, and unversioned paths
inline constexpr std::string_view kMinApiVersion = "1.24";
inline constexpr std::string_view kMaxApiVersion = "1.50";  // highest prefix accepted

// Compares dotted numeric versions as dockerd does ("1.9" < "1.24"; a
// missing component counts as 0; non-numbers count as 0). <0, 0, >0.
int compare_versions(std::string_view a, std::string_view b);

struct VersionedPath {
  std::optional<std::string> version;  // "1.44" when the path had /v1.44
  std::string path;                    // the rest, starting with '/'
};
// Splits "/v1.44/containers/json" into {"1.44", "/containers/json"}.
VersionedPath split_version(std::string_view path);

// The version a request is served at: its prefix, or kApiVersion. Errors:
// InvalidArgument with dockerd's "client version X is too new/old" text.
Result<std::string> negotiate_version(const std::optional<std::string>& requested);

}  // namespace berth::api
