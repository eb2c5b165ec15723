// /_ping, /version, /info, /system/df and /build/prune.
#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/system_json.hpp"
#include "api/version.hpp"

namespace berth::api {
namespace {

Task<Result<>> ping(Exchange& ex) {
  // The headers dockerd sends; the CLI reads Api-Version (and Ostype,
  // Builder-Version, Swarm) from HEAD /_ping before every command.
  ex.set_header("Builder-Version", "1");
  ex.set_header("Docker-Experimental", "false");
  ex.set_header("Swarm", "inactive");
  ex.set_header("Cache-Control", "no-cache, no-store, must-revalidate");
  ex.set_header("Pragma", "no-cache");
  std::string body = ex.method() == http::verb::head ? "" : "OK";
  co_return co_await ex.respond(http::status::ok, std::move(body), "text/plain; charset=utf-8");
}

Task<Result<>> version(Exchange& ex, engine::SystemService& system) {
  co_return co_await ex.respond_json(http::status::ok, version_json(system.version()));
}

Task<Result<>> info(Exchange& ex, engine::SystemService& system) {
  auto info = co_await ex.run_blocking([&] { return system.info(); });
  if (!info) co_return tl::unexpected(info.error());
  co_return co_await ex.respond_json(http::status::ok, info_json(*info));
}

Task<Result<>> disk_usage(Exchange& ex, engine::SystemService& system) {
  auto du = co_await ex.run_blocking([&] { return system.disk_usage(); });
  if (!du) co_return tl::unexpected(du.error());
  co_return co_await ex.respond_json(http::status::ok, disk_usage_json(*du));
}

// berthd has no image builder yet, so there is never a build cache: the
// answer is dockerd's for an empty cache. `docker system prune` sends this
// after the container, network and image prunes and fails without it.
Task<Result<>> build_prune(Exchange& ex) {
  boost::json::value body = boost::json::object{{"CachesDeleted", nullptr}, {"SpaceReclaimed", 0}};
  co_return co_await ex.respond_json(http::status::ok, body);
}

}  // namespace

Result<> add_system_routes(Router& router, const Services& services) {
  TRY(router.add("GET", "/_ping", ping));
  TRY(router.add("HEAD", "/_ping", ping));
  TRY(router.add("POST", "/build/prune", build_prune));
  if (!services.system) return ok();
  auto* system = services.system;
  TRY(router.add("GET", "/version", [system](Exchange& ex) { return version(ex, *system); }));
  TRY(router.add("GET", "/info", [system](Exchange& ex) { return info(ex, *system); }));
  TRY(router.add("GET", "/system/df", [system](Exchange& ex) { return disk_usage(ex, *system); }));
  return ok();
}

Result<Router> docker_router(const Services& services) {
  Router router;
  TRY(add_system_routes(router, services));
  TRY(add_event_routes(router, services));
  TRY(add_image_routes(router, services));
  TRY(add_container_routes(router, services));
  TRY(add_network_routes(router, services));
  TRY(add_volume_routes(router, services));
  return router;
}

}  // namespace berth::api
