// /networks: list, inspect, create, remove, connect, disconnect, prune,
// in dockerd's shapes (the JSON work is in network_json.cpp).
#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/json_body.hpp"
#include "api/network_json.hpp"

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

}  // namespace

Result<> add_network_routes(Router& router, const Services& services) {
  if (!services.networks) return ok();
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
