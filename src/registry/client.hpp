// A Distribution API v2 client for one registry: endpoint selection
// (mirrors for docker.io, HTTPS with plain-HTTP fallback for insecure
// registries, 127.0.0.0/8 insecure by default as in dockerd), the auth
// dance (anonymous, Basic, Bearer tokens cached per scope and refreshed on
// 401), retries with backoff on transport errors, 429 and 5xx, and the
// manifest and blob operations pull and push are made of.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image/content_store.hpp"
#include "oci/image_manifest.hpp"
#include "registry/auth.hpp"
#include "registry/http.hpp"

namespace berth::registry {

struct ClientOptions {
  std::vector<std::string> insecure_registries;  // "host[:port]"; loopback always
  std::vector<std::string> mirrors;              // base URLs pulls of docker.io try first
  int max_concurrent_downloads = 3;
  int max_attempts = 5;   // per request, transport errors / 429 / 5xx
  int backoff_ms = 200;   // doubled per attempt
  std::optional<Credentials> credentials;  // overrides config.json
  std::string docker_config;               // config.json path (default: Docker's)
  std::vector<std::string> cert_dirs{"/etc/berth/certs.d", "/etc/docker/certs.d"};
  int64_t chunk_size = 0;  // push: > 0 uploads blobs in PATCH chunks of this size
};

// The manifest types berth asks for, in preference order.
std::string manifest_accept_header();
// True for 127.0.0.0/8, ::1, localhost (any port) and listed hosts.
bool is_insecure(const std::string& domain, const std::vector<std::string>& insecure);

std::string pull_scope(const std::string& repo);
std::string push_scope(const std::string& repo);

struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // Content-Type as served
  std::string digest;      // sha256 of bytes (verified)
};

struct BlobFetch {
  oci::Descriptor desc;
  std::function<void(int64_t current)> on_progress;  // throttled by the caller
  std::function<void()> on_downloaded;               // before verification
  std::function<void()> on_verified;                 // committed to the store
};

struct MountResult {
  bool mounted = false;
  std::string upload_location;  // when the registry started an upload instead
};

class Client {
 public:
  // The registry's own endpoint for `domain` (push, login: never a
  // mirror), pinged on /v2/ to learn the challenge; Unavailable if it
  // does not answer.
  static Result<std::unique_ptr<Client>> connect(const std::string& domain, ClientOptions options);
  // Where a pull may look, in order: for docker.io each configured mirror
  // on its own, then the registry's own candidates (HTTPS, then plain
  // HTTP for insecure registries). The caller moves to the next group
  // when one is down or lacks the reference, as dockerd does.
  static std::vector<std::vector<std::string>> pull_endpoints(const std::string& domain,
                                                              const ClientOptions& options);
  // Connects to the first of `candidates` that answers /v2/. With
  // `more_follow` every candidate gets one try (a dead mirror must not
  // cost the whole retry budget before the next endpoint is asked).
  static Result<std::unique_ptr<Client>> connect_to(const std::string& domain, ClientOptions options,
                                                    const std::vector<std::string>& candidates,
                                                    bool more_follow = false);

  const std::string& base_url() const { return base_; }
  const std::string& domain() const { return domain_; }
  const ClientOptions& options() const { return options_; }

  // Sends `req` (a "/v2/..." URL is taken relative to the endpoint) with
  // auth for `scope`; retries and refreshes tokens; returns any status.
  Result<Response> request(Request req, const std::string& scope);
  // "Authorization: ..." for `scope`, or "" when anonymous.
  Result<std::string> auth_header(const std::string& scope, bool refresh = false);

  // GET a manifest or index by tag or digest; the digest of the bytes is
  // checked against a digest reference and Docker-Content-Digest.
  Result<FetchedManifest> get_manifest(const std::string& repo, const std::string& reference);
  // Downloads blobs concurrently (libcurl multi), each streamed into the
  // content store, hashed and verified against its descriptor (size and
  // digest) before it is linked; resumes with Range after a broken
  // transfer. `before_link` records the lease. Fails as a whole.
  Result<> fetch_blobs(const std::string& repo, const std::vector<BlobFetch>& fetches,
                       image::ContentStore& content,
                       const std::function<Result<>(const image::BlobInfo&)>& before_link);

  Result<bool> blob_exists(const std::string& repo, const std::string& digest);
  Result<MountResult> mount_blob(const std::string& repo, const std::string& digest,
                                 const std::string& from_repo);
  // Uploads `size` bytes of `fd` as blob `digest` (monolithic, or PATCH
  // chunks of options().chunk_size); `location` reuses a started upload.
  Result<> upload_blob(const std::string& repo, const std::string& digest, int fd, int64_t size,
                       const std::function<void(int64_t)>& on_progress, std::string location = {});
  // PUT the manifest bytes unchanged under `reference`; returns the digest.
  Result<std::string> put_manifest(const std::string& repo, const std::string& reference,
                                   const std::string& bytes, const std::string& media_type);

  std::string url(const std::string& path_or_url) const;
  Request base_request(std::string method, const std::string& path_or_url) const;

 private:
  Client(std::string domain, ClientOptions options) : domain_(std::move(domain)), options_(std::move(options)) {}
  Result<Response> send_with_retry(const Request& req, int attempts);
  Result<std::string> fetch_token(const std::string& scope);
  Result<> ping(const std::vector<std::string>& candidates, bool more_follow);

  std::string domain_;
  ClientOptions options_;
  std::string base_;  // scheme://host[:port]
  std::string ca_file_;
  std::optional<Credentials> creds_;
  std::optional<Challenge> challenge_;  // from the last 401
  std::map<std::string, std::string> tokens_;  // scope -> bearer token
};

// A registry error as Docker prints it: `Get "URL": unauthorized:
// authentication required` (from the errors[] body when present).
Error response_error(const Response& response, const Request& request);

}  // namespace berth::registry
