#include "registry/search.hpp"

#include <boost/json.hpp>

namespace berth::registry {
namespace {

namespace json = boost::json;

// dockerd's (Go's) wording for the transport failures curl reports, so the
// CLI prints what it prints against dockerd.
std::string go_transport_error(const std::string& curl_message, const std::string& host) {
  if (curl_message.find("Couldn't connect to server") != std::string::npos)
    return "dial tcp " + host + ": connect: connection refused";
  if (curl_message.find("Couldn't resolve host name") != std::string::npos) {
    std::string name = host.substr(0, host.rfind(':'));
    return "dial tcp: lookup " + name + ": no such host";
  }
  auto colon = curl_message.rfind("\": ");
  return colon == std::string::npos ? curl_message : curl_message.substr(colon + 3);
}

std::string default_port(const std::string& host, bool https) {
  return host.find(':') == std::string::npos ? host + (https ? ":443" : ":80") : host;
}

Request get(const std::string& url) {
  Request req;
  req.url = url;
  req.connect_timeout_s = 15;
  return req;
}

// One endpoint's GET /v1/_ping: "" when it answers, else Go's error text.
std::string ping(const std::string& base, const std::string& host) {
  auto r = perform(get(base + "/v1/_ping"));
  std::string url = base + "/v1/_ping";
  if (!r) return "Get \"" + url + "\": " + go_transport_error(r.error().message(), default_port(host, base.rfind("https", 0) == 0));
  if (r->status < 200 || r->status >= 300) return "Get \"" + url + "\": unexpected status " + std::to_string(r->status);
  return "";
}

// The endpoint to search: the first of HTTPS and (insecure) HTTP that
// answers /v1/_ping, or dockerd's "invalid registry endpoint" error.
Result<std::string> pick_endpoint(const std::string& index, const ClientOptions& options) {
  bool insecure = is_insecure(index, options.insecure_registries);
  std::string https_err = ping("https://" + index, index);
  if (https_err.empty()) return "https://" + index;
  if (!insecure)
    return make_error(ErrorCategory::Unavailable, "invalid registry endpoint https://" + index + "/v1/: " + https_err +
                                                      ". If this private registry supports only HTTP or HTTPS with an "
                                                      "unknown CA certificate, please add `--insecure-registry " +
                                                      index + "` to the daemon's arguments.");
  std::string http_err = ping("http://" + index, index);
  if (http_err.empty()) return "http://" + index;
  return make_error(ErrorCategory::Unavailable, "invalid registry endpoint \"http://" + index +
                                                    "/v1/\". HTTPS attempt: " + https_err +
                                                    ". HTTP attempt: " + http_err);
}

}  // namespace

SearchTarget search_target(const std::string& term) {
  auto slash = term.find('/');
  if (slash != std::string::npos) {
    std::string first = term.substr(0, slash);
    bool names_host = first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost";
    if (names_host && first != "docker.io" && first != "index.docker.io")
      return {first, term.substr(slash + 1)};
    if (names_host) return {"docker.io", term.substr(slash + 1)};
  }
  return {"docker.io", term};
}

Result<std::vector<SearchResult>> parse_search_results(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return make_error(ErrorCategory::Internal, "invalid search response from the index");
  std::vector<SearchResult> out;
  auto* results = v.as_object().if_contains("results");
  if (!results || !results->is_array()) return out;
  for (const auto& r : results->as_array()) {
    if (!r.is_object()) continue;
    const auto& o = r.as_object();
    SearchResult s;
    if (auto* f = o.if_contains("name"); f && f->is_string()) s.name = std::string(f->get_string());
    if (auto* f = o.if_contains("description"); f && f->is_string()) s.description = std::string(f->get_string());
    if (auto* f = o.if_contains("star_count"); f && f->is_number()) s.star_count = f->to_number<int64_t>();
    if (auto* f = o.if_contains("is_official"); f && f->is_bool()) s.is_official = f->get_bool();
    if (auto* f = o.if_contains("is_automated"); f && f->is_bool()) s.is_automated = f->get_bool();
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<SearchResult>> search(const std::string& term, int limit, const ClientOptions& options) {
  SearchTarget t = search_target(term);
  std::string base;
  if (t.index == "docker.io") base = "https://index.docker.io";  // dockerd does not ping the official index
  else base = TRY(pick_endpoint(t.index, options));
  Request req = get(base + "/v1/search?q=" + url_escape(t.query) + "&n=" + std::to_string(limit));
  req.headers.push_back("X-Docker-Token: true");
  auto r = perform(req);
  std::string host = t.index == "docker.io" ? "index.docker.io" : t.index;
  if (!r)
    return make_error(ErrorCategory::Unavailable, "Get \"" + req.url + "\": " +
                                                      go_transport_error(r.error().message(),
                                                                         default_port(host, base.rfind("https", 0) == 0)));
  if (r->status < 200 || r->status >= 300)
    return make_error(ErrorCategory::Unavailable, "Unexpected status code " + std::to_string(r->status));
  return parse_search_results(r->body);
}

}  // namespace berth::registry
