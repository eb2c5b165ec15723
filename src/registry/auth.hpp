// Registry authentication pieces that need no network: WWW-Authenticate
// challenges, credentials from Docker's config.json, Basic headers, and
// the X-Registry-Auth header API clients send.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::registry {

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // OAuth refresh token (docker login to Hub)
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

struct Challenge {
  std::string scheme;  // "bearer" or "basic" (lowercased)
  std::map<std::string, std::string> params;  // realm, service, scope, error
};

// Parses a WWW-Authenticate value (RFC 7235: one or more challenges,
// auth-params with quoted strings). Unknown schemes are kept.
std::vector<Challenge> parse_challenges(std::string_view header);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

// "Authorization: Basic ..." for these credentials.
std::string basic_header(const Credentials& creds);

// The config.json key Docker uses for a registry domain
// (docker.io -> "https://index.docker.io/v1/").
std::string config_key(std::string_view domain);

// Credentials for `domain` from a config.json document (`auths` entries,
// matched with or without scheme and path, `auth` = base64 user:pass,
// `identitytoken`). nullopt when none is stored.
Result<std::optional<Credentials>> credentials_from_config(std::string_view config_json,
                                                            std::string_view domain);

// Which credential helper config.json names for `domain`: credHelpers
// (by host) first, then credsStore; "" when credentials are in `auths`.
Result<std::string> credential_helper_for(std::string_view config_json, std::string_view domain);

// Runs `docker-credential-<helper> get` (found on PATH) with the server
// address on stdin, as the docker CLI does; nullopt when the helper has
// no credentials for it.
Result<std::optional<Credentials>> helper_credentials(const std::string& helper, std::string_view domain);

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
std::string default_config_path();
// Reads default_config_path() (or `path`) and asks its credential helper
// or reads `auths`; nullopt if nothing is stored.
Result<std::optional<Credentials>> load_credentials(std::string_view domain,
                                                    const std::string& path = {});

// The X-Registry-Auth header: base64url JSON {username,password,...}.
Result<Credentials> parse_registry_auth_header(std::string_view header);

}  // namespace berth::registry
