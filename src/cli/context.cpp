#include "cli/context.hpp"

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>

#include "base/strings.hpp"

namespace berth::cli {
namespace json = boost::json;

std::string choose_host(const std::string& flag_host) {
  if (!flag_host.empty()) return flag_host;
  // BERTH_HOST first: a user may point docker elsewhere with DOCKER_HOST
  // and still want berth on its own daemon.
  for (const char* env : {"BERTH_HOST", "DOCKER_HOST"})
    if (const char* v = std::getenv(env); v && *v) return v;
  for (const char* host : kDefaultHosts)
    if (::access(host + 7, F_OK) == 0) return host;
  return kDefaultHosts[0];
}

int compare_versions(const std::string& a, const std::string& b) {
  auto pa = split(a, '.'), pb = split(b, '.');
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    int x = i < pa.size() ? std::atoi(pa[i].c_str()) : 0;
    int y = i < pb.size() ? std::atoi(pb[i].c_str()) : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string query_escape(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return make_error(ErrorCategory::Internal, "invalid JSON from the daemon: " + ec.message());
  return v;
}

Unexpected daemon_error(const api::ClientResponse& res) {
  std::string message(trim(res.body));
  boost::system::error_code ec;
  auto v = json::parse(res.body, ec);
  if (!ec && v.is_object())
    if (auto* m = v.get_object().if_contains("message"); m && m->is_string())
      message = std::string(m->get_string());
  ErrorCategory category = res.status == 404   ? ErrorCategory::NotFound
                           : res.status == 409 ? ErrorCategory::Conflict
                           : res.status == 400 ? ErrorCategory::InvalidArgument
                                               : ErrorCategory::Internal;
  return make_error(category, "Error response from daemon: " + message);
}

Result<api::Client*> Context::client() {
  if (client_) return &*client_;
  auto c = api::Client::connect(host_);
  if (!c)
    return make_error(ErrorCategory::Unavailable, "Cannot connect to the Docker daemon at " + host_ +
                                                      ". Is the docker daemon running?");
  client_.emplace(std::move(*c));
  return &*client_;
}

Result<std::string> Context::api_version() {
  if (!version_.empty()) return version_;
  auto* c = TRY(client());
  // The docker CLI's negotiation: HEAD /_ping, Api-Version capped at ours;
  // no header means 1.24.
  auto res = c->request("HEAD", "/_ping");
  if (!res || (res->status != 200 && res->status != 500)) res = c->request("GET", "/_ping");
  if (!res)
    return make_error(ErrorCategory::Unavailable, "Cannot connect to the Docker daemon at " + host_ +
                                                      ". Is the docker daemon running?");
  std::string v = res->header("Api-Version");
  if (v.empty()) v = "1.24";
  version_ = compare_versions(v, kMaxApiVersion) > 0 ? kMaxApiVersion : v;
  return version_;
}

bool Context::api_at_least(const std::string& v) {
  auto mine = api_version();
  return mine && compare_versions(*mine, v) >= 0;
}

std::string Context::versioned(const std::string& path) { return "/v" + version_ + path; }

Result<api::ClientResponse> Context::call(std::string_view method, const std::string& path,
                                          std::string body, const api::Headers& headers) {
  TRY(api_version());
  api::Headers h = headers;
  if (!body.empty() && h.empty()) h.emplace_back("Content-Type", "application/json");
  return TRY(client())->request(method, versioned(path), std::move(body), h);
}

Result<api::ClientResponse> Context::checked(std::string_view method, const std::string& path,
                                             std::string body, const api::Headers& headers) {
  auto res = TRY(call(method, path, std::move(body), headers));
  if (res.status >= 400) return daemon_error(res);
  return res;
}

Result<json::value> Context::get_json(const std::string& path) {
  auto res = TRY(checked("GET", path));
  return parse_json(res.body);
}

Result<json::value> Context::post_json(const std::string& path, const json::value& body) {
  auto res = TRY(checked("POST", path, json::serialize(body)));
  if (trim(res.body).empty()) return json::value();
  return parse_json(res.body);
}

Result<api::ClientResponse> Context::stream(std::string_view method, const std::string& path,
                                            const std::function<bool(std::string_view)>& on_data,
                                            std::string body, const api::Headers& headers) {
  TRY(api_version());
  api::Headers h = headers;
  if (!body.empty() && h.empty()) h.emplace_back("Content-Type", "application/json");
  auto res = TRY(TRY(client())->stream(method, versioned(path), on_data, std::move(body), h));
  if (res.status >= 400) return daemon_error(res);
  return res;
}

Result<api::ClientResponse> Context::upload(std::string_view method, const std::string& path,
                                            const std::function<Result<std::string>()>& next_piece,
                                            const api::Headers& headers) {
  TRY(api_version());
  auto res = TRY(TRY(client())->upload(method, versioned(path), next_piece, headers));
  if (res.status >= 400) return daemon_error(res);
  return res;
}

Result<api::HijackedConnection> Context::hijack(std::string_view method, const std::string& path,
                                                std::string body) {
  TRY(api_version());
  return TRY(client())->hijack(method, versioned(path), std::move(body));
}

Result<api::Client> Context::connect_again() {
  TRY(api_version());
  return api::Client::connect(host_);
}

}  // namespace berth::cli
