// What every command gets: the chosen daemon, a negotiated API version,
// and JSON request helpers that turn daemon errors into docker's
// "Error response from daemon: ..." lines.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "api/client.hpp"
#include "base/error.hpp"

namespace berth::cli {

inline constexpr const char* kMaxApiVersion = "1.50";
inline constexpr const char* kDefaultHosts[] = {"unix:///run/berth/berth.sock",
                                                 "unix:///var/run/docker.sock"};

// -H, then DOCKER_HOST, then BERTH_HOST, then the first default socket that
// exists (berthd's, then docker's).
std::string choose_host(const std::string& flag_host);

// "1.41" vs "1.50" by numeric parts.
int compare_versions(const std::string& a, const std::string& b);

class Context {
 public:
  explicit Context(std::string host) : host_(std::move(host)) {}
  const std::string& host() const { return host_; }
  // The negotiated version (connects and pings on first use).
  Result<std::string> api_version();
  bool api_at_least(const std::string& v);

  // A versioned request; any status is returned (no error mapping).
  Result<api::ClientResponse> call(std::string_view method, const std::string& path,
                                   std::string body = {}, const api::Headers& headers = {});
  // Like call, but a status >= 400 is an error with the daemon's message.
  Result<api::ClientResponse> checked(std::string_view method, const std::string& path,
                                      std::string body = {}, const api::Headers& headers = {});
  Result<boost::json::value> get_json(const std::string& path);
  Result<boost::json::value> post_json(const std::string& path, const boost::json::value& body);
  Result<api::ClientResponse> stream(std::string_view method, const std::string& path,
                                     const std::function<bool(std::string_view)>& on_data,
                                     std::string body = {}, const api::Headers& headers = {});
  Result<api::ClientResponse> upload(std::string_view method, const std::string& path,
                                     const std::function<Result<std::string>()>& next_piece,
                                     const api::Headers& headers = {});
  Result<api::HijackedConnection> hijack(std::string_view method, const std::string& path,
                                         std::string body = {});
  // A second, independent connection to the same daemon (wait beside attach).
  Result<api::Client> connect_again();
  std::string versioned(const std::string& path);

 private:
  Result<api::Client*> client();
  std::string host_;
  std::optional<api::Client> client_;
  std::string version_;
};

// The message docker prints for a failed response.
Unexpected daemon_error(const api::ClientResponse& res);
// Parses a response body as JSON.
Result<boost::json::value> parse_json(std::string_view body);
// Percent-encodes a query value.
std::string query_escape(std::string_view s);

}  // namespace berth::cli
