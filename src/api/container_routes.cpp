// Container lifecycle endpoints: create, start, stop, restart, kill,
// delete, wait, resize, inspect and list. Logs and attach are in
// container_stream_routes.cpp.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>
#include <mutex>

#include "api/container_json.hpp"
#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/network_json.hpp"
#include "api/notifier.hpp"
#include "base/strings.hpp"
#include "engine/image_service.hpp"
#include "oci/image_manifest.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using engine::ContainerService;

// ?platform=os/arch[/variant] (API 1.41): the local image must be for that
// platform, else dockerd's 404, after which the docker CLI pulls that
// platform's image. Without an image service or a readable body the
// create itself reports what is wrong.
Result<> check_platform(engine::ImageService* images, const std::string& platform, const std::string& body) {
  if (platform.empty() || !images) return ok();
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("Image") || !v.at("Image").is_string()) return ok();
  std::string ref(v.at("Image").get_string());
  auto image = images->inspect(ref);
  if (!image) return ok();
  oci::Platform want, have{image->os, image->architecture, image->variant, {}, {}};
  auto parts = split(platform, '/');
  if (parts.size() < 2 || parts.size() > 3)
    return make_error(ErrorCategory::InvalidArgument, "invalid platform \"" + platform + "\" (want os/arch[/variant])");
  want.os = parts[0];
  want.architecture = parts[1];
  if (parts.size() == 3) want.variant = parts[2];
  if (oci::platform_matches(want, have)) return ok();
  auto text = [](const oci::Platform& p) {
    return p.os + "/" + p.architecture + (p.variant.empty() ? "" : "/" + p.variant);
  };
  return make_error(ErrorCategory::NotFound, "image with reference " + ref +
                                                 " was found but does not match the specified platform: wanted " +
                                                 text(want) + ", actual: " + text(have));
}

Task<Result<>> create(Exchange& ex, ContainerService& cs, engine::ImageService* images) {
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  std::string name = ex.query().get_or("name", "");
  std::string platform = ex.query().get_or("platform", "");
  auto created = co_await ex.run_blocking([&]() -> decltype(cs.create(name, *body)) {
    TRY(check_platform(images, platform, *body));  // reads the image store: off the event loop
    return cs.create(name, *body);
  });
  if (!created) co_return tl::unexpected(created.error());
  boost::json::array warnings;
  for (const auto& w : created->warnings) warnings.emplace_back(w);
  boost::json::object answer;
  answer["Id"] = created->id;
  answer["Warnings"] = std::move(warnings);
  co_return co_await ex.respond_json(http::status::created, answer);
}

Task<Result<>> start(Exchange& ex, ContainerService& cs) {
  std::string ref = ex.param("name");
  auto started = co_await ex.run_blocking([&] { return cs.start(ref); });
  if (!started) co_return tl::unexpected(started.error());
  co_return co_await ex.respond_empty(*started ? http::status::no_content : http::status::not_modified);
}

Result<std::optional<int>> stop_timeout(const Query& q) {
  if (!q.has("t")) return std::optional<int>();
  return std::optional<int>(static_cast<int>(TRY(q.integer("t", 10))));
}

Task<Result<>> stop(Exchange& ex, ContainerService& cs) {
  std::string ref = ex.param("name");
  auto t = stop_timeout(ex.query());
  if (!t) co_return tl::unexpected(t.error());
  std::string sig = ex.query().get_or("signal", "");
  auto stopped = co_await ex.run_blocking([&] { return cs.stop(ref, *t, sig); });
  if (!stopped) co_return tl::unexpected(stopped.error());
  co_return co_await ex.respond_empty(*stopped ? http::status::no_content : http::status::not_modified);
}

Task<Result<>> restart(Exchange& ex, ContainerService& cs) {
  std::string ref = ex.param("name");
  auto t = stop_timeout(ex.query());
  if (!t) co_return tl::unexpected(t.error());
  std::string sig = ex.query().get_or("signal", "");
  auto r = co_await ex.run_blocking([&] { return cs.restart(ref, *t, sig); });
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> kill(Exchange& ex, ContainerService& cs) {
  std::string ref = ex.param("name");
  std::string sig = ex.query().get_or("signal", "");
  auto r = co_await ex.run_blocking([&] { return cs.kill(ref, sig); });
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> remove(Exchange& ex, ContainerService& cs) {
  std::string ref = ex.param("name");
  bool force = ex.query().boolean("force");
  bool volumes = ex.query().boolean("v");
  auto r = co_await ex.run_blocking([&] { return cs.remove_with_volumes(ref, force, volumes); });
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> resize(Exchange& ex, ContainerService& cs) {
  auto h = ex.query().integer("h", 0);
  auto w = ex.query().integer("w", 0);
  if (!h) co_return tl::unexpected(h.error());
  if (!w) co_return tl::unexpected(w.error());
  std::string ref = ex.param("name");
  auto r = co_await ex.run_blocking([&] { return cs.resize(ref, static_cast<int>(*h), static_cast<int>(*w)); });
  if (!r) co_return r;
  co_return co_await ex.respond(http::status::ok, "", "text/plain; charset=utf-8");
}

struct WaitState {
  std::mutex mu;
  std::optional<engine::WaitResult> result;
};

// Headers go out at once (the CLI starts the container only after its
// wait request was answered); the body follows when the condition holds.
Task<Result<>> wait(Exchange& ex, ContainerService& cs) {
  auto condition = engine::parse_wait_condition(ex.query().get_or("condition", ""));
  if (!condition) co_return tl::unexpected(condition.error());
  auto notifier = Notifier::create(co_await asio::this_coro::executor);
  auto state = std::make_shared<WaitState>();
  auto handle = cs.wait(ex.param("name"), *condition, [state, weak = std::weak_ptr(notifier)](engine::WaitResult r) {
    {
      std::lock_guard lock(state->mu);
      state->result = r;
    }
    if (auto n = weak.lock()) n->wake();
  });
  if (!handle) co_return tl::unexpected(handle.error());
  auto begun = co_await ex.begin_stream(http::status::ok, "application/json");
  if (!begun) co_return begun;
  for (;;) {
    std::optional<engine::WaitResult> r;
    {
      std::lock_guard lock(state->mu);
      r = state->result;
    }
    if (r) {
      // GCC 12 miscompiles brace-initialised json objects inside coroutines.
      boost::json::object answer;
      if (r->error.empty()) {
        answer["Error"] = nullptr;
      } else {
        boost::json::object e;
        e["Message"] = r->error;
        answer["Error"] = std::move(e);
      }
      answer["StatusCode"] = r->code;
      co_return co_await ex.write(boost::json::serialize(answer) + "\n");
    }
    auto which = co_await (notifier->wait() || ex.peer_closed());
    if (which.index() == 1) co_return ok();
  }
}

Task<Result<>> inspect(Exchange& ex, ContainerService& cs, std::string driver,
                       engine::ContainerNetworking* networks, engine::VolumeService* volumes) {
  auto c = cs.get(ex.param("name"));
  if (!c) co_return tl::unexpected(c.error());
  auto answer = container_inspect_json(*c, driver);
  if (networks) fill_inspect_network(answer.as_object(), *c, *networks);
  if (volumes) answer.as_object()["Mounts"] = container_mounts_json(*c, *volumes);
  co_return co_await ex.respond_json(http::status::ok, answer);
}

Task<Result<>> list(Exchange& ex, ContainerService& cs, engine::ContainerNetworking* networks,
                    engine::VolumeService* volumes) {
  engine::ListOptions options;
  options.all = ex.query().boolean("all");
  auto limit = ex.query().integer("limit", -1);
  if (!limit) co_return tl::unexpected(limit.error());
  options.limit = *limit;
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  options.filters = std::move(*filters);
  auto containers = cs.list(options);
  if (!containers) co_return tl::unexpected(containers.error());
  boost::json::array out;
  for (const auto& c : *containers) {
    out.push_back(container_summary_json(c));
    if (networks) fill_summary_network(out.back().as_object(), c, *networks);
    if (volumes) out.back().as_object()["Mounts"] = container_mounts_json(c, *volumes);
  }
  co_return co_await ex.respond_json(http::status::ok, out);
}

}  // namespace

Result<> add_container_routes(Router& router, const Services& services) {
  if (!services.containers) return ok();
  auto* cs = services.containers;
  std::string driver = services.storage_driver;
  auto bind = [cs](auto fn) { return [cs, fn](Exchange& ex) { return fn(ex, *cs); }; };
  auto* images = services.images;
  TRY(router.add("POST", "/containers/create", [cs, images](Exchange& ex) { return create(ex, *cs, images); }));
  auto* networks = services.networks;
  auto* volumes = services.volumes;
  TRY(router.add("GET", "/containers/json", [cs, networks, volumes](Exchange& ex) { return list(ex, *cs, networks, volumes); }));
  TRY(router.add("GET", "/containers/{name}/json",
                 [cs, driver, networks, volumes](Exchange& ex) { return inspect(ex, *cs, driver, networks, volumes); }));
  TRY(router.add("POST", "/containers/{name}/start", bind(start)));
  TRY(router.add("POST", "/containers/{name}/stop", bind(stop)));
  TRY(router.add("POST", "/containers/{name}/restart", bind(restart)));
  TRY(router.add("POST", "/containers/{name}/kill", bind(kill)));
  TRY(router.add("POST", "/containers/{name}/wait", bind(wait)));
  TRY(router.add("POST", "/containers/{name}/resize", bind(resize)));
  TRY(router.add("DELETE", "/containers/{name}", bind(remove)));
  TRY(add_container_stream_routes(router, services));
  TRY(add_container_ops_routes(router, services));
  TRY(add_exec_routes(router, services));
  TRY(add_container_archive_routes(router, services));
  return ok();
}

}  // namespace berth::api
