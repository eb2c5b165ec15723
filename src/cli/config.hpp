// The docker CLI's client config (~/.docker/config.json, or $DOCKER_CONFIG):
// registry credentials as `auths.<server>.auth` = base64("user:password").
#pragma once

#include <string>

namespace berth::cli {

inline constexpr const char* kDefaultRegistry = "https://index.docker.io/v1/";

// The config file path.
std::string config_path();
// The registry host of an image reference (docker.io's index otherwise).
std::string registry_of(const std::string& image);
// base64url(JSON {"username","password","serveraddress"}) for
// X-Registry-Auth, or "" when the config has no entry for `server`.
std::string credentials_for(const std::string& server);

std::string base64_encode(std::string_view in, bool url = false);
std::string base64_decode(std::string_view in);

}  // namespace berth::cli
