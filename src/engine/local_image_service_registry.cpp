// Registry side of the image service: pull, push and login through the
// registry client (src/registry), with the daemon's mirrors and insecure
// registries and the caller's X-Registry-Auth credentials.
#include <algorithm>

#include "engine/local_image_service.hpp"
#include "oci/image_reference.hpp"
#include "registry/distribution.hpp"
#include "registry/pull.hpp"
#include "registry/push.hpp"
#include "registry/search.hpp"

namespace berth::engine {
namespace {

// dockerd joins fromImage and tag like this: a digest "tag" makes a
// digest reference, a tag replaces none already in the name.
std::string join_name(const RegistryRequest& request) {
  if (request.tag.empty()) return request.image;
  if (request.tag.rfind("sha256:", 0) == 0) return request.image + "@" + request.tag;
  return request.image + ":" + request.tag;
}

Result<registry::ClientOptions> client_options(const RegistrySettings& settings, const std::string& auth) {
  registry::ClientOptions options;
  options.mirrors = settings.mirrors;
  options.insecure_registries = settings.insecure_registries;
  options.docker_config = settings.docker_config;
  // The docker CLI sends "e30=" ({}) or nothing for anonymous access.
  if (!auth.empty()) {
    auto creds = TRY_CTX(registry::parse_registry_auth_header(auth), "invalid X-Registry-Auth header");
    if (!creds.empty()) options.credentials = creds;
  }
  return options;
}

registry::ProgressFn line_writer(const ProgressLineFn& progress) {
  if (!progress) return {};
  return [&progress](const registry::ProgressEvent& e) { progress(registry::to_json_message(e)); };
}

// "https://index.docker.io/v1/" -> "docker.io"; "http://h:5000/x" -> "h:5000".
std::string login_domain(std::string server) {
  if (auto p = server.find("://"); p != std::string::npos) server.erase(0, p + 3);
  if (auto p = server.find('/'); p != std::string::npos) server.erase(p);
  if (server.empty() || server == "index.docker.io" || server == "registry-1.docker.io") return "docker.io";
  return server;
}

}  // namespace

Result<> LocalImageService::pull(const RegistryRequest& request, const ProgressLineFn& progress) {
  registry::PullOptions options;
  options.client = TRY(client_options(registry_, request.auth));
  if (!request.platform.empty()) options.platform = TRY(registry::parse_platform(request.platform));
  auto name = join_name(request);
  // Like dockerd, a pull extracts the layers (overlapped with the
  // download), so the first `run` finds them ready. Device nodes are
  // kept as dockerd keeps them (a root daemon without user namespace
  // remapping); debootstrapped images carry /dev nodes.
  options.snapshots = stores_.snapshots.get();
  options.unpack.allow_devices = true;
  // Other image calls wait for the pull (the service's state is one lock).
  std::lock_guard lock(mu_);
  auto ctx = stores_.context();
  auto result = TRY(registry::pull(ctx, name, options, line_writer(progress)));
  auto ref = oci::parse_reference(name);
  publish("pull", result.image.id, ref ? ref->familiar() : name);
  return ok();
}

// `docker push repo` without a tag: every tag of the repository, sorted
// (dockerd pushes them all); a name that already has one pushes just it.
Result<std::vector<std::string>> LocalImageService::push_targets(const RegistryRequest& request) {
  if (!request.tag.empty()) return std::vector<std::string>{join_name(request)};
  auto ref = TRY(oci::parse_reference(request.image));
  if (request.image.find(':', request.image.rfind('/') + 1) != std::string::npos)
    return std::vector<std::string>{request.image};
  std::vector<std::string> out;
  for (const auto& record : TRY(stores_.images->list()))
    for (const auto& t : record.repo_tags) {
      auto other = oci::parse_reference(t);
      if (other && other->name() == ref.name()) out.push_back(other->familiar());
    }
  std::sort(out.begin(), out.end());
  if (out.empty())
    return make_error(ErrorCategory::NotFound, "An image does not exist locally with the tag: " + ref.familiar_name());
  return out;
}

Result<> LocalImageService::push(const RegistryRequest& request, const ProgressLineFn& progress) {
  registry::PushOptions options;
  options.client = TRY(client_options(registry_, request.auth));
  std::lock_guard lock(mu_);
  auto ctx = stores_.context();
  for (const auto& name : TRY(push_targets(request))) {
    auto image = TRY(stores_.images->resolve(name));
    TRY(registry::push(ctx, name, name, options, line_writer(progress)));
    publish("push", image.id, name);
  }
  return ok();
}

// No store is touched, so no lock: it may run beside a pull.
Result<std::vector<ImageSearchResult>> LocalImageService::search(const ImageSearchRequest& request) {
  auto options = TRY(client_options(registry_, request.auth));
  std::vector<ImageSearchResult> out;
  for (auto& r : TRY(registry::search(request.term, request.limit, options)))
    out.push_back({std::move(r.name), std::move(r.description), r.star_count, r.is_official, r.is_automated});
  return out;
}

Result<DistributionInspect> LocalImageService::distribution(const RegistryRequest& request) {
  auto options = TRY(client_options(registry_, request.auth));
  auto info = TRY(registry::inspect_distribution(request.image, options));
  return DistributionInspect{info.descriptor.media_type, info.descriptor.digest, info.descriptor.size,
                             std::move(info.platforms)};
}

Result<> LocalImageService::login(const LoginRequest& request) {
  auto domain = login_domain(request.server);
  registry::ClientOptions options;
  options.mirrors = {};  // login talks to the registry itself, never a mirror
  options.insecure_registries = registry_.insecure_registries;
  options.docker_config = registry_.docker_config;
  options.credentials = registry::Credentials{request.username, request.password, ""};
  auto client = TRY(registry::Client::connect(domain, options));
  auto req = client->base_request("GET", "/v2/");
  auto response = TRY(client->request(req, ""));
  if (response.status == 200) return ok();
  if (response.status == 401 || response.status == 403) {
    // dockerd's text for a refused login.
    return make_error(ErrorCategory::PermissionDenied,
                      "login attempt to " + client->url("/v2/") + " failed with status: " +
                          std::to_string(response.status) +
                          (response.status == 401 ? " Unauthorized" : " Forbidden"));
  }
  return tl::unexpected(registry::response_error(response, req));
}

}  // namespace berth::engine
