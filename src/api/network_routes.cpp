// /networks: list, inspect, create, remove, connect, disconnect, prune,
// in dockerd's shapes (the JSON work is in network_json.cpp).
#include <memory>
#include <vector>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/json_body.hpp"
#include "api/network_json.hpp"
#include "engine/container_network_json.hpp"
#include "net/docker_json.hpp"

namespace berth::api {
namespace {

using engine::ContainerNetworking;

Task<Result<>> list(Exchange& ex, ContainerNetworking& n) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto out = co_await ex.run_blocking([&] { return networks_list_json(n, *filters); });
  if (!out) co_return tl::unexpected(out.error());
  co_return co_await ex.respond_json(http::status::ok, *out);
}

Task<Result<>> inspect(Exchange& ex, ContainerNetworking& n) {
  std::string ref = ex.param("id");
  auto out = co_await ex.run_blocking([&] { return network_inspect_json(n, ref); });
  if (!out) co_return tl::unexpected(out.error());
  co_return co_await ex.respond_json(http::status::ok, *out);
}

Task<Result<>> create(Exchange& ex, ContainerNetworking& n) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  auto out = co_await ex.run_blocking([&] { return network_create(n, *body); });
  if (!out) co_return tl::unexpected(out.error());
  co_return co_await ex.respond_json(http::status::created, *out);
}

Task<Result<>> remove(Exchange& ex, ContainerNetworking& n) {
  std::string ref = ex.param("id");
  auto r = co_await ex.run_blocking([&] { return n.remove_network(ref); });
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> connect(Exchange& ex, ContainerNetworking& n) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  std::string ref = ex.param("id");
  auto r = co_await ex.run_blocking([&] { return network_connect(n, ref, *body); });
  if (!r) co_return r;
  co_return co_await ex.respond(http::status::ok, "", "text/plain; charset=utf-8");
}

Task<Result<>> disconnect(Exchange& ex, ContainerNetworking& n) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  std::string ref = ex.param("id");
  auto r = co_await ex.run_blocking([&] { return network_disconnect(n, ref, *body); });
  if (!r) co_return r;
  co_return co_await ex.respond(http::status::ok, "", "text/plain; charset=utf-8");
}

Task<Result<>> prune(Exchange& ex, ContainerNetworking& n) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto out = co_await ex.run_blocking([&] { return network_prune(n, *filters); });
  if (!out) co_return tl::unexpected(out.error());
  co_return co_await ex.respond_json(http::status::ok, *out);
}

// --- networking off (--bridge none): only `host` and `none` exist, as
// with dockerd --bridge=none, and no network can be made or joined.
using Predefined = std::vector<net::Network>;

Result<net::Network> find_network(const Predefined& nets, const std::string& ref) {
  if (auto n = engine::find_predefined(nets, ref)) return *n;
  return make_error(ErrorCategory::NotFound, "network " + ref + " not found");
}

// Outside the coroutines: GCC 12 miscompiles brace-initialised JSON there.
boost::json::object network_json_of(const net::Network& n) { return net::network_json(n, {}); }

Unexpected networking_off() {
  return make_error(ErrorCategory::PermissionDenied, "networking is disabled in berthd (--bridge none)");
}

Task<Result<>> list_off(Exchange& ex, const Predefined& nets) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto out = networks_list_json(nets, *filters);
  if (!out) co_return tl::unexpected(out.error());
  co_return co_await ex.respond_json(http::status::ok, *out);
}

Task<Result<>> inspect_off(Exchange& ex, const Predefined& nets) {
  auto n = find_network(nets, ex.param("id"));
  if (!n) co_return tl::unexpected(n.error());
  co_return co_await ex.respond_json(http::status::ok, network_json_of(*n));
}

Task<Result<>> remove_off(Exchange& ex, const Predefined& nets) {
  auto n = find_network(nets, ex.param("id"));
  if (!n) co_return tl::unexpected(n.error());
  co_return tl::unexpected(
      Error(ErrorCategory::PermissionDenied, n->name + " is a pre-defined network and cannot be removed"));
}

// The container named by a connect/disconnect body.
Result<> find_container(engine::ContainerService* containers, const boost::json::value& body) {
  std::string ref = body.is_object() ? engine::json_string(body.as_object(), "Container") : "";
  if (ref.empty()) return make_error(ErrorCategory::InvalidArgument, "container is required");
  if (!containers) return make_error(ErrorCategory::NotFound, "No such container: " + ref);
  TRY(containers->get(ref));
  return ok();
}

// dockerd looks the container up first on connect, the network first on
// disconnect; both then fail here, where nothing can be joined.
Task<Result<>> join_off(Exchange& ex, const Predefined& nets, engine::ContainerService* containers,
                        bool connect) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  if (connect)
    if (auto c = find_container(containers, *body); !c) co_return c;
  auto n = find_network(nets, ex.param("id"));
  if (!n) co_return tl::unexpected(n.error());
  if (!connect)
    if (auto c = find_container(containers, *body); !c) co_return c;
  co_return networking_off();
}

Task<Result<>> create_off(Exchange& ex, const Predefined&) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  co_return networking_off();
}

Task<Result<>> prune_off(Exchange& ex, const Predefined&) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  if (auto r = filters->validate({"label", "label!", "until"}); !r) co_return r;
  co_return co_await ex.respond_json(http::status::ok, prune_nothing());
}

}  // namespace

Result<> add_network_routes(Router& router, const Services& services) {
  if (!services.networks) {
    auto nets = std::make_shared<const Predefined>(services.predefined_networks);
    auto bind = [nets](auto fn) { return [nets, fn](Exchange& ex) { return fn(ex, *nets); }; };
    TRY(router.add("GET", "/networks", bind(list_off)));
    TRY(router.add("GET", "/networks/{id}", bind(inspect_off)));
    TRY(router.add("POST", "/networks/create", bind(create_off)));
    TRY(router.add("DELETE", "/networks/{id}", bind(remove_off)));
    auto* containers = services.containers;
    TRY(router.add("POST", "/networks/{id}/connect", [nets, containers](Exchange& ex) {
      return join_off(ex, *nets, containers, true);
    }));
    TRY(router.add("POST", "/networks/{id}/disconnect", [nets, containers](Exchange& ex) {
      return join_off(ex, *nets, containers, false);
    }));
    TRY(router.add("POST", "/networks/prune", bind(prune_off)));
    return ok();
  }
  auto* n = services.networks;
  auto bind = [n](auto fn) { return [n, fn](Exchange& ex) { return fn(ex, *n); }; };
  TRY(router.add("GET", "/networks", bind(list)));
  TRY(router.add("GET", "/networks/{id}", bind(inspect)));
  TRY(router.add("POST", "/networks/create", bind(create)));
  TRY(router.add("DELETE", "/networks/{id}", bind(remove)));
  TRY(router.add("POST", "/networks/{id}/connect", bind(connect)));
  TRY(router.add("POST", "/networks/{id}/disconnect", bind(disconnect)));
  TRY(router.add("POST", "/networks/prune", bind(prune)));
  return ok();
}

}  // namespace berth::api
