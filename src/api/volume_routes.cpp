// /volumes: list, create, inspect, remove, prune in dockerd's shapes, and
// the "Mounts" of container inspect and list.
#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/json_body.hpp"
#include "engine/volume_service.hpp"

namespace berth::api {
namespace json = boost::json;
namespace {

using engine::VolumeService;

json::value map_or_null(const std::optional<std::map<std::string, std::string>>& m) {
  if (!m) return nullptr;
  json::object o;
  for (const auto& [k, v] : *m) o[k] = v;
  return o;
}

json::object volume_json(const engine::Volume& v) {
  return json::object{{"CreatedAt", v.created_at}, {"Driver", v.driver},   {"Labels", map_or_null(v.labels)},
                      {"Mountpoint", v.mountpoint}, {"Name", v.name},      {"Options", map_or_null(v.options)},
                      {"Scope", "local"}};
}

Unexpected bad(std::string msg) { return make_error(ErrorCategory::InvalidArgument, std::move(msg)); }

Result<std::optional<std::map<std::string, std::string>>> string_map(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::map<std::string, std::string>>();
  if (!v->is_object()) return bad("json: cannot unmarshal " + std::string(key) + " into map[string]string");
  std::map<std::string, std::string> out;
  for (const auto& [k, x] : v->as_object()) {
    if (!x.is_string()) return bad("json: cannot unmarshal " + std::string(key) + " into map[string]string");
    out[std::string(k)] = std::string(x.as_string());
  }
  return std::optional(std::move(out));
}

Result<engine::VolumeCreate> create_request(const json::value& body) {
  engine::VolumeCreate r;
  if (body.is_null()) return r;
  if (!body.is_object()) return bad("json: cannot unmarshal body into a volume create request");
  const auto& o = body.as_object();
  auto str = [&](const char* key) -> Result<std::string> {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::string();
    if (!v->is_string()) return bad(std::string("json: cannot unmarshal ") + key + " into string");
    return std::string(v->as_string());
  };
  r.name = TRY(str("Name"));
  r.driver = TRY(str("Driver"));
  r.labels = TRY(string_map(o, "Labels"));
  r.options = TRY(string_map(o, "DriverOpts"));
  return r;
}

Task<Result<>> list(Exchange& ex, VolumeService& vs) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto volumes = co_await ex.run_blocking([&] { return vs.list(*filters); });
  if (!volumes) co_return tl::unexpected(volumes.error());
  json::array out;
  for (const auto& v : *volumes) out.push_back(volume_json(v));
  json::object answer;  // (a brace-initialised object miscompiles in coroutines on GCC 12)
  answer["Volumes"] = std::move(out);
  answer["Warnings"] = nullptr;
  co_return co_await ex.respond_json(http::status::ok, answer);
}

Task<Result<>> create(Exchange& ex, VolumeService& vs) {
  auto body = co_await read_json_body(ex);
  if (!body) co_return tl::unexpected(body.error());
  auto request = create_request(*body);
  if (!request) co_return tl::unexpected(request.error());
  auto v = co_await ex.run_blocking([&] { return vs.create(*request); });
  if (!v) co_return tl::unexpected(v.error());
  co_return co_await ex.respond_json(http::status::created, volume_json(*v));
}

Task<Result<>> inspect(Exchange& ex, VolumeService& vs) {
  std::string name = ex.param("name");
  auto v = co_await ex.run_blocking([&] { return vs.inspect(name); });
  if (!v) co_return tl::unexpected(v.error());
  co_return co_await ex.respond_json(http::status::ok, volume_json(*v));
}

Task<Result<>> remove(Exchange& ex, VolumeService& vs) {
  std::string name = ex.param("name");
  bool force = ex.query().boolean("force");
  auto r = co_await ex.run_blocking([&] { return vs.remove(name, force); });
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> prune(Exchange& ex, VolumeService& vs) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  // Before API 1.42 (docker 23) prune removed named volumes too.
  if (!ex.version_at_least("1.42") && !filters->contains("all")) filters->add("all", "true");
  auto r = co_await ex.run_blocking([&] { return vs.prune(*filters); });
  if (!r) co_return tl::unexpected(r.error());
  json::array deleted;
  for (const auto& n : r->deleted) deleted.emplace_back(n);
  json::object answer;
  answer["VolumesDeleted"] = std::move(deleted);
  answer["SpaceReclaimed"] = r->space_reclaimed;
  co_return co_await ex.respond_json(http::status::ok, answer);
}

}  // namespace

json::array container_mounts_json(const engine::Container& c, VolumeService& volumes) {
  json::array out;
  for (const auto& m : volumes.container_mounts(c)) {
    if (m.hidden) continue;  // HostConfig.Tmpfs: not listed by dockerd
    json::object o;
    o["Type"] = m.type;
    if (m.type == "volume") o["Name"] = m.name;
    o["Source"] = m.source;
    o["Destination"] = m.destination;
    if (m.type == "volume") o["Driver"] = m.driver;
    o["Mode"] = m.mode;
    o["RW"] = m.rw;
    o["Propagation"] = m.propagation;
    out.push_back(std::move(o));
  }
  return out;
}

Result<> add_volume_routes(Router& router, const Services& services) {
  if (!services.volumes) return ok();
  auto* vs = services.volumes;
  auto bind = [vs](auto fn) { return [vs, fn](Exchange& ex) { return fn(ex, *vs); }; };
  TRY(router.add("GET", "/volumes", bind(list)));
  TRY(router.add("POST", "/volumes/create", bind(create)));
  TRY(router.add("GET", "/volumes/{name}", bind(inspect)));
  TRY(router.add("DELETE", "/volumes/{name}", bind(remove)));
  TRY(router.add("POST", "/volumes/prune", bind(prune)));
  return ok();
}

}  // namespace berth::api
