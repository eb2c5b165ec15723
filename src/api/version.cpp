#include "api/version.hpp"

#include "base/strings.hpp"

namespace berth::api {

int compare_versions(std::string_view a, std::string_view b) {
  auto pa = split(a, '.');
  auto pb = split(b, '.');
  size_t n = std::max(pa.size(), pb.size());
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < pa.size() ? parse_int<int64_t>(pa[i]).value_or(0) : 0;
    int64_t y = i < pb.size() ? parse_int<int64_t>(pb[i]).value_or(0) : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

VersionedPath split_version(std::string_view path) {
  // dockerd's route: /v{version:[0-9.]+}/...
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v') return {std::nullopt, std::string(path)};
  size_t i = 2;
  while (i < path.size() && (std::isdigit(static_cast<unsigned char>(path[i])) || path[i] == '.'))
    ++i;
  if (i == 2 || (i < path.size() && path[i] != '/')) return {std::nullopt, std::string(path)};
  std::string rest(path.substr(i));
  if (rest.empty()) rest = "/";
  return {std::string(path.substr(2, i - 2)), rest};
}

Result<std::string> negotiate_version(const std::optional<std::string>& requested) {
  if (!requested) return std::string(kApiVersion);
  if (compare_versions(*requested, kMaxApiVersion) > 0)
    return make_error(ErrorCategory::InvalidArgument,
                      "client version " + *requested +
                          " is too new. Maximum supported API version is " +
                          std::string(kMaxApiVersion));
  if (compare_versions(*requested, kMinApiVersion) < 0)
    return make_error(ErrorCategory::InvalidArgument,
                      "client version " + *requested +
                          " is too old. Minimum supported API version is " +
                          std::string(kMinApiVersion) +
                          ", please upgrade your client to a newer version");
  return *requested;
}

}  // namespace berth::api
