#include "registry/client.hpp"

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "base/strings.hpp"
#include "image/sha256.hpp"
#include "oci/image_json_util.hpp"
#include "oci/json.hpp"

namespace berth::registry {

namespace {

bool retryable(long status) { return status == 429 || status >= 500; }

std::string method_title(const std::string& m) {
  std::string t = to_lower(m);
  if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  return t;
}

std::string host_of(const std::string& domain) {
  if (!domain.empty() && domain[0] == '[') return domain.substr(1, domain.find(']') - 1);
  auto colon = domain.rfind(':');
  return colon == std::string::npos ? domain : domain.substr(0, colon);
}

bool file_exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

// The errors[] of a registry error body as "code: message" (Docker's
// errcode formatting: lowercased code, underscores as spaces).
std::string registry_error_text(const Response& r) {
  auto doc = oci::parse_json(r.body);
  if (doc && doc->is_object()) {
    const auto& o = doc->as_object();
    if (auto it = o.find("errors"); it != o.end() && it->value().is_array()) {
      std::vector<std::string> parts;
      for (const auto& e : it->value().as_array()) {
        if (!e.is_object()) continue;
        auto code = oci::detail::get_string(e.as_object(), "code").value_or("");
        auto msg = oci::detail::get_string(e.as_object(), "message").value_or("");
        for (auto& c : code) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        parts.push_back(code.empty() ? msg : msg.empty() ? code : code + ": " + msg);
      }
      if (!parts.empty()) return join(parts, "; ");
    }
    // Token servers answer {"details": "..."} or {"error": "..."}.
    for (const char* key : {"details", "error"})
      if (auto v = oci::detail::get_string(o, key); v && !v->empty()) return *v;
  }
  switch (r.status) {
    case 401: return "unauthorized: authentication required";
    case 403: return "denied: requested access to the resource is denied";
    case 404: return "not found";
    case 429: return "toomanyrequests: too many requests";
    default: return "unexpected status " + std::to_string(r.status);
  }
}

ErrorCategory status_category(long status) {
  if (status == 401 || status == 403) return ErrorCategory::PermissionDenied;
  if (status == 404) return ErrorCategory::NotFound;
  if (retryable(status)) return ErrorCategory::Unavailable;
  return ErrorCategory::InvalidArgument;
}

}  // namespace

std::string manifest_accept_header() {
  return "Accept: " + join({std::string(oci::media::kOciIndex), std::string(oci::media::kOciManifest),
                            std::string(oci::media::kDockerManifestList),
                            std::string(oci::media::kDockerManifest)},
                           ", ");
}

bool is_insecure(const std::string& domain, const std::vector<std::string>& insecure) {
  std::string host = host_of(domain);
  if (host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0) return true;
  for (const auto& h : insecure)
    if (h == domain || h == host) return true;
  return false;
}

std::string pull_scope(const std::string& repo) { return "repository:" + repo + ":pull"; }
std::string push_scope(const std::string& repo) { return "repository:" + repo + ":pull,push"; }

Error response_error(const Response& response, const Request& request) {
  return Error(status_category(response.status),
               method_title(request.method) + " \"" + request.url + "\": " + registry_error_text(response));
}

std::vector<std::vector<std::string>> Client::pull_endpoints(const std::string& domain,
                                                              const ClientOptions& o) {
  std::vector<std::vector<std::string>> groups;
  if (domain == "docker.io")
    for (auto m : o.mirrors) {
      while (!m.empty() && m.back() == '/') m.pop_back();
      if (!m.empty()) groups.push_back({m});
    }
  if (domain == "docker.io") {
    groups.push_back({"https://registry-1.docker.io"});
  } else {
    groups.push_back({"https://" + domain});
    if (is_insecure(domain, o.insecure_registries)) groups.back().push_back("http://" + domain);
  }
  return groups;
}

Result<std::unique_ptr<Client>> Client::connect(const std::string& domain, ClientOptions options) {
  auto own = pull_endpoints(domain, options).back();
  return connect_to(domain, std::move(options), own);
}

Result<std::unique_ptr<Client>> Client::connect_to(const std::string& domain, ClientOptions options,
                                                   const std::vector<std::string>& candidates,
                                                   bool more_follow) {
  std::unique_ptr<Client> c(new Client(domain, std::move(options)));
  const auto& o = c->options_;
  c->creds_ = o.credentials;
  if (!c->creds_ || c->creds_->empty()) c->creds_ = TRY(load_credentials(domain, o.docker_config));
  for (const auto& dir : o.cert_dirs)
    if (file_exists(dir + "/" + domain + "/ca.crt")) c->ca_file_ = dir + "/" + domain + "/ca.crt";
  TRY(c->ping(candidates, more_follow));
  return c;
}

Result<> Client::ping(const std::vector<std::string>& candidates, bool more_follow) {
  std::optional<Error> last;
  for (size_t i = 0; i < candidates.size(); ++i) {
    base_ = candidates[i];
    // Only the last candidate gets the full retry budget: an HTTPS probe
    // of a plain-HTTP registry fails at once and should fall through.
    int attempts = i + 1 == candidates.size() && !more_follow ? options_.max_attempts : 1;
    auto req = base_request("GET", "/v2/");
    auto r = send_with_retry(req, attempts);
    if (!r) {
      last = r.error();
      continue;
    }
    if (r->status == 401) {
      for (auto& ch : parse_challenges(r->header("www-authenticate")))
        if (ch.scheme == "bearer" || ch.scheme == "basic") {
          challenge_ = ch;
          break;
        }
      return ok();
    }
    if (r->status >= 200 && r->status < 300) return ok();
    last = response_error(*r, req);
  }
  return tl::unexpected(last->wrap("registry " + domain_ + " is unreachable"));
}

std::string Client::url(const std::string& p) const {
  if (p.rfind("http://", 0) == 0 || p.rfind("https://", 0) == 0) return p;
  return base_ + (p.empty() || p[0] == '/' ? "" : "/") + p;
}

Request Client::base_request(std::string method, const std::string& path_or_url) const {
  Request r;
  r.method = std::move(method);
  r.url = url(path_or_url);
  r.ca_file = ca_file_;
  return r;
}

Result<Response> Client::send_with_retry(const Request& req, int attempts) {
  for (int attempt = 1;; ++attempt) {
    auto r = perform(req);
    bool again = !r ? r.error().is(ErrorCategory::Unavailable) : retryable(r->status);
    if (!again || attempt >= attempts) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.backoff_ms << (attempt - 1)));
  }
}

Result<std::string> Client::fetch_token(const std::string& scope) {
  const auto& p = challenge_->params;
  auto realm = p.find("realm");
  if (realm == p.end() || realm->second.empty())
    return make_error(ErrorCategory::InvalidArgument, "bearer challenge without realm");
  std::string u = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto s = p.find("service"); s != p.end()) u += "service=" + url_escape(s->second);
  for (const auto& one : split(scope, ' '))
    if (!one.empty()) u += "&scope=" + url_escape(one);
  Request req = base_request("GET", u);
  if (creds_ && !creds_->username.empty()) req.headers.push_back(basic_header(*creds_));
  auto r = TRY(send_with_retry(req, options_.max_attempts));
  if (r.status != 200) return tl::unexpected(response_error(r, req).wrap("token"));
  auto doc = TRY_CTX(oci::parse_json(r.body), "token response");
  const auto* o = TRY(oci::detail::as_object(doc, "token response"));
  auto token = TRY(oci::detail::get_string(*o, "token"));
  if (token.empty()) token = TRY(oci::detail::get_string(*o, "access_token"));
  if (token.empty()) return make_error(ErrorCategory::InvalidArgument, "token response without a token");
  return token;
}

Result<std::string> Client::auth_header(const std::string& scope, bool refresh) {
  if (!challenge_) return std::string();
  if (challenge_->scheme == "basic") {
    if (!creds_ || creds_->username.empty()) return std::string();
    return basic_header(*creds_);
  }
  auto it = tokens_.find(scope);
  if (it == tokens_.end() || refresh) {
    auto token = TRY(fetch_token(scope));
    it = tokens_.insert_or_assign(scope, std::move(token)).first;
  }
  return "Authorization: Bearer " + it->second;
}

Result<Response> Client::request(Request req, const std::string& scope) {
  req.url = url(req.url);
  auto base_headers = req.headers;
  for (int round = 0;; ++round) {
    req.headers = base_headers;
    auto auth = TRY(auth_header(scope, round > 0));
    if (!auth.empty()) req.headers.push_back(auth);
    auto r = TRY(send_with_retry(req, options_.max_attempts));
    if (r.status != 401 || round > 0) return r;
    // A first 401: learn (or re-learn) the challenge and try once more.
    std::optional<Challenge> ch;
    for (auto& c : parse_challenges(r.header("www-authenticate")))
      if (c.scheme == "bearer" || c.scheme == "basic") ch = c;
    if (!ch) return r;
    bool had = challenge_.has_value();
    challenge_ = ch;
    if (ch->scheme == "basic" && (!creds_ || creds_->username.empty() || had)) return r;
  }
}

Result<FetchedManifest> Client::get_manifest(const std::string& repo, const std::string& reference) {
  auto req = base_request("GET", "/v2/" + repo + "/manifests/" + reference);
  req.headers.push_back(manifest_accept_header());
  auto r = TRY(request(req, pull_scope(repo)));
  if (r.status != 200) return tl::unexpected(response_error(r, req));
  FetchedManifest m{std::move(r.body), r.header("content-type"), ""};
  m.digest = image::sha256_digest(m.bytes);
  bool by_digest = reference.rfind("sha256:", 0) == 0;
  std::string served = r.header("docker-content-digest");
  if ((by_digest && m.digest != reference) || (served.rfind("sha256:", 0) == 0 && served != m.digest))
    return make_error(ErrorCategory::InvalidArgument,
                      "manifest verification failed for " + repo + ":" + reference + ": content digest " +
                          m.digest + " does not match " + (by_digest ? reference : served));
  return m;
}

Result<bool> Client::blob_exists(const std::string& repo, const std::string& digest) {
  auto req = base_request("HEAD", "/v2/" + repo + "/blobs/" + digest);
  auto r = TRY(request(req, push_scope(repo)));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return tl::unexpected(response_error(r, req));
}

Result<MountResult> Client::mount_blob(const std::string& repo, const std::string& digest,
                                       const std::string& from) {
  auto req = base_request("POST", "/v2/" + repo + "/blobs/uploads/?mount=" + url_escape(digest) +
                                      "&from=" + url_escape(from));
  auto r = TRY(request(req, push_scope(repo) + " " + pull_scope(from)));
  if (r.status == 201) return MountResult{true, ""};
  if (r.status == 202) return MountResult{false, r.header("location")};
  return tl::unexpected(response_error(r, req));
}

Result<> Client::upload_blob(const std::string& repo, const std::string& digest, int fd, int64_t size,
                             const std::function<void(int64_t)>& on_progress, std::string location) {
  std::string scope = push_scope(repo);
  if (location.empty()) {
    auto req = base_request("POST", "/v2/" + repo + "/blobs/uploads/");
    auto r = TRY(request(req, scope));
    if (r.status != 202) return tl::unexpected(response_error(r, req));
    location = r.header("location");
  }
  if (location.empty()) return make_error(ErrorCategory::InvalidArgument, "upload started without a Location");
  int64_t offset = 0;
  int64_t chunk = options_.chunk_size;
  while (chunk > 0 && size - offset > 0) {
    int64_t n = std::min(chunk, size - offset);
    auto req = base_request("PATCH", location);
    req.headers = {"Content-Type: application/octet-stream",
                   "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1)};
    req.body_fd = fd;
    req.body_offset = offset;
    req.body_size = n;
    auto r = TRY(request(req, scope));
    if (r.status != 202) return tl::unexpected(response_error(r, req));
    location = r.header("location");
    offset += n;
    if (on_progress) on_progress(offset);
  }
  auto req = base_request("PUT", location + (location.find('?') == std::string::npos ? "?" : "&") +
                                     "digest=" + url_escape(digest));
  req.headers = {"Content-Type: application/octet-stream"};
  req.body_fd = fd;
  req.body_offset = offset;
  req.body_size = size - offset;
  auto r = TRY(request(req, scope));
  if (r.status != 201) return tl::unexpected(response_error(r, req));
  if (on_progress) on_progress(size);
  return ok();
}

Result<std::string> Client::put_manifest(const std::string& repo, const std::string& reference,
                                         const std::string& bytes, const std::string& media_type) {
  auto req = base_request("PUT", "/v2/" + repo + "/manifests/" + reference);
  req.headers = {"Content-Type: " + media_type};
  req.body = bytes;
  auto r = TRY(request(req, push_scope(repo)));
  if (r.status != 201) return tl::unexpected(response_error(r, req));
  std::string digest = image::sha256_digest(bytes);
  std::string served = r.header("docker-content-digest");
  if (!served.empty() && served != digest)
    return make_error(ErrorCategory::Internal, "registry stored manifest as " + served + ", expected " + digest);
  return digest;
}

}  // namespace berth::registry
