// The image side of the API/engine boundary (services.hpp style): what
// the /images routes call. The engine answers in its own terms (records,
// raw config documents, Unix times); the API layer renders Docker's JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "base/error.hpp"
#include "engine/filters.hpp"
#include "oci/image_manifest.hpp"

namespace berth::engine {

struct ImageSummary {
  std::string id;         // sha256:...
  std::string parent_id;  // empty: berth records no parent images
  std::vector<std::string> repo_tags;     // familiar: busybox:latest
  std::vector<std::string> repo_digests;  // familiar: busybox@sha256:...
  int64_t created = 0;                    // Unix seconds (config "created")
  int64_t size = 0;                       // unpacked content, as dockerd counts it
  std::map<std::string, std::string> labels;
  int64_t containers = -1;  // -1: not computed
};

struct ImageDetails {
  ImageSummary summary;
  std::string created;  // RFC 3339 as in the config
  std::string author, comment, docker_version, architecture, variant, os, os_version;
  std::optional<boost::json::object> config;            // the config's "config"
  std::optional<boost::json::object> container_config;  // legacy "container_config"
  std::string container;                                // legacy "container"
  std::string rootfs_type = "layers";
  std::vector<std::string> diff_ids;
  std::string graph_driver;
};

struct ImageHistoryItem {
  std::string id;  // the image ID on the newest entry, else "<missing>"
  int64_t created = 0;
  std::string created_by;
  std::vector<std::string> tags;
  int64_t size = 0;
  std::string comment;
};

struct ImageDeleted {
  std::string untagged;  // familiar reference, or empty
  std::string deleted;   // image ID, or empty
};

struct ImagePruneReport {
  std::vector<ImageDeleted> deleted;
  int64_t space_reclaimed = 0;
};

struct ImageLoaded {
  std::vector<std::string> tags;       // familiar references the archive named
  std::vector<std::string> untagged_ids;  // images loaded without a tag
};

struct ImageImportRequest {
  std::string reference;  // optional: "repo" or "repo:tag"
  std::vector<std::string> changes;
  std::string message;
  std::string source = "-";
};

// `docker commit`: the container service names the container's snapshot
// and fills the rest from the container (its image, its command).
struct ImageCommitRequest {
  std::string snapshot_key;  // the container's active snapshot
  std::string parent_image;  // ID or reference; empty for a from-scratch rootfs
  std::string author, message, created_by;
  std::vector<std::string> changes;
  std::string reference;  // optional "repo[:tag]"
  std::string container_config;  // the container's Config JSON: the image's config (empty: the parent's)
  std::string container_id;      // recorded as the image's "container"
  // dockerd also records the container's own Config (before the request's
  // config and changes) as "container_config", and its version.
  std::string own_config, docker_version;
};

// Pull and push (/images/create?fromImage=, /images/{name}/push).
struct RegistryRequest {
  std::string image;     // as the client named it: "busybox", "host:5000/x"
  std::string tag;       // tag or digest from the query; may be empty
  std::string platform;  // pull: "os/arch[/variant]"; empty = the host's
  std::string auth;      // the X-Registry-Auth header as sent (base64 JSON)
};

// GET /images/search: what an index's v1 search answers.
struct ImageSearchRequest {
  std::string term;   // "busybox", "host:5000/busybox"
  int limit = 25;
  std::string auth;   // X-Registry-Auth as sent
};

struct ImageSearchResult {
  std::string name, description;
  int64_t star_count = 0;
  bool is_official = false;
  bool is_automated = false;
};

// GET /distribution/{name}/json: what the registry serves for a name,
// read without pulling (the top manifest's descriptor and platforms).
struct DistributionInspect {
  std::string media_type, digest;
  int64_t size = 0;
  std::vector<oci::Platform> platforms;
};

// docker login (/auth): the credentials are checked against the registry.
struct LoginRequest {
  std::string server;  // "127.0.0.1:5000", "https://index.docker.io/v1/", ...
  std::string username, password;
};

// berth's own POST /berth/images/bootstrap: a base image made on this
// machine (image::bootstrap_image), for hosts without a registry.
struct ImageBootstrapRequest {
  std::string kind;       // "busybox" or "debian"
  std::string reference;  // tag; empty = busybox:latest / debian:<suite>
  std::string suite;      // debian: default bookworm
  std::string mirror;     // debian: default deb.debian.org
};

// One line of dockerd's JSON progress stream (no trailing newline), handed
// over as soon as the registry client reports it.
using ProgressLineFn = std::function<void(const std::string& line)>;

class ImageService {
 public:
  virtual ~ImageService() = default;
  // Filters: reference, dangling, label, before, since.
  virtual Result<std::vector<ImageSummary>> list(const Filters& filters, bool all) = 0;
  virtual Result<ImageDetails> inspect(const std::string& name) = 0;
  virtual Result<std::vector<ImageHistoryItem>> history(const std::string& name) = 0;
  // `repo` may carry a tag when `tag` is empty; the default tag is latest.
  virtual Result<> tag(const std::string& name, const std::string& repo, const std::string& tag) = 0;
  virtual Result<std::vector<ImageDeleted>> remove(const std::string& name, bool force) = 0;
  // A docker-archive tar read from `fd` (a pipe is fine).
  virtual Result<ImageLoaded> load(int fd) = 0;
  // Every name must exist (checked first); then the archive goes to `fd`.
  virtual Result<> check_names(const std::vector<std::string>& names) = 0;
  virtual Result<> save(const std::vector<std::string>& names, int fd) = 0;
  // A rootfs tar (plain, gzip or zstd) read from `fd`; returns the image ID.
  virtual Result<std::string> import(int fd, const ImageImportRequest& request) = 0;
  // Returns the new image ID.
  virtual Result<std::string> commit(const ImageCommitRequest& request) = 0;
  // Filters: dangling (default true), until, label, label!.
  virtual Result<ImagePruneReport> prune(const Filters& filters) = 0;
  // Registry transfers; errors are returned, never written as lines.
  virtual Result<> pull(const RegistryRequest& request, const ProgressLineFn& progress) = 0;
  virtual Result<> push(const RegistryRequest& request, const ProgressLineFn& progress) = 0;
  // PermissionDenied when the registry refuses the credentials.
  virtual Result<> login(const LoginRequest& request) = 0;
  // `request.image` is the whole name (tag or digest included).
  virtual Result<DistributionInspect> distribution(const RegistryRequest& request) {
    (void)request;
    return make_error(ErrorCategory::Unavailable, "registry inspection is not supported here");
  }
  virtual Result<std::vector<ImageSearchResult>> search(const ImageSearchRequest& request) {
    (void)request;
    return make_error(ErrorCategory::Unavailable, "image search is not supported here");
  }
  // Builds and tags a base image; progress lines as for a pull.
  virtual Result<> bootstrap(const ImageBootstrapRequest&, const ProgressLineFn&) {
    return make_error(ErrorCategory::Unavailable, "image bootstrap is not supported here");
  }
};

}  // namespace berth::engine
