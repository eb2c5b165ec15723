// GET /containers/{id}/top, GET /containers/{id}/stats (one object, or one
// per second while stream=1), POST pause, unpause, rename, update, prune
// and POST /commit.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/stats_json.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using engine::ContainerOperations;
namespace json = boost::json;

struct Deps {
  engine::ContainerService* containers;
  ContainerOperations* ops;
  engine::ImageService* images;
};

Task<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Task<Result<>> top(Exchange& ex, Deps d) {
  std::string ref = ex.param("name");
  std::string ps_args = ex.query().get_or("ps_args", "");
  auto r = co_await ex.run_blocking([&] { return d.ops->top(ref, ps_args); });
  if (!r) co_return tl::unexpected(r.error());
  json::array titles, processes;
  for (const auto& t : r->titles) titles.emplace_back(t);
  for (const auto& row : r->processes) {
    json::array line;
    for (const auto& cell : row) line.emplace_back(cell);
    processes.push_back(std::move(line));
  }
  json::object out;
  out["Titles"] = std::move(titles);
  out["Processes"] = std::move(processes);
  co_return co_await ex.respond_json(http::status::ok, out);
}

// dockerd's three modes: stream (one object per second), one-shot (one
// object, no previous sample) and neither (one object whose precpu comes
// from a sample taken a second earlier, so the CLI can show CPU %).
Task<Result<>> stats(Exchange& ex, Deps d) {
  auto c = d.containers->get(ex.param("name"));
  if (!c) co_return tl::unexpected(c.error());
  bool stream = !ex.query().has("stream") || ex.query().boolean("stream");
  bool one_shot = ex.query().boolean("one-shot");
  std::string id = c->id;
  engine::StatsSample pre;
  pre.read = engine::kZeroTime;
  auto sample = co_await ex.run_blocking([&] { return d.ops->stats(id); });
  if (!sample) co_return tl::unexpected(sample.error());
  if (!stream && !one_shot && sample->read != engine::kZeroTime) {
    co_await sleep_for(std::chrono::seconds(1));
    pre = *sample;
    sample = co_await ex.run_blocking([&] { return d.ops->stats(id); });
    if (!sample) co_return tl::unexpected(sample.error());
  }
  if (!stream) co_return co_await ex.respond_json(http::status::ok, stats_json(*sample, pre, c->name, id));
  auto begun = co_await ex.begin_stream(http::status::ok, "application/json");
  if (!begun) co_return begun;
  for (;;) {
    auto now = d.containers->get(id);
    std::string name = c->name;  // it may be renamed meanwhile
    if (now) name = now->name;
    auto sent = co_await ex.write(json::serialize(stats_json(*sample, pre, name, id)) + "\n");
    if (!sent) co_return sent;
    // A stopped container gets one zeroed object, then the stream ends.
    if (sample->read == engine::kZeroTime) co_return ok();
    auto which = co_await (sleep_for(std::chrono::seconds(1)) || ex.peer_closed());
    if (which.index() == 1) co_return ok();
    pre = *sample;
    sample = co_await ex.run_blocking([&] { return d.ops->stats(id); });
    if (!sample) co_return ok();
  }
}

template <typename F>
Task<Result<>> simple(Exchange& ex, F fn) {
  auto r = co_await ex.run_blocking(fn);
  if (!r) co_return r;
  co_return co_await ex.respond_empty(http::status::no_content);
}

Task<Result<>> pause(Exchange& ex, Deps d) {
  std::string ref = ex.param("name");
  co_return co_await simple(ex, [&] { return d.ops->pause(ref); });
}

Task<Result<>> unpause(Exchange& ex, Deps d) {
  std::string ref = ex.param("name");
  co_return co_await simple(ex, [&] { return d.ops->unpause(ref); });
}

Task<Result<>> rename(Exchange& ex, Deps d) {
  std::string ref = ex.param("name");
  std::string name = ex.query().get_or("name", "");
  co_return co_await simple(ex, [&] { return d.ops->rename(ref, name); });
}

Task<Result<>> update(Exchange& ex, Deps d) {
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  std::string ref = ex.param("name");
  auto warnings = co_await ex.run_blocking([&] { return d.ops->update(ref, *body); });
  if (!warnings) co_return tl::unexpected(warnings.error());
  json::array list;
  for (const auto& w : *warnings) list.emplace_back(w);
  json::object out;
  out["Warnings"] = std::move(list);
  co_return co_await ex.respond_json(http::status::ok, out);
}

Task<Result<>> prune(Exchange& ex, Deps d) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto pruned = co_await ex.run_blocking([&] { return d.ops->prune(*filters); });
  if (!pruned) co_return tl::unexpected(pruned.error());
  json::array deleted;
  for (const auto& id : pruned->deleted) deleted.emplace_back(id);
  json::object out;
  out["ContainersDeleted"] = std::move(deleted);
  out["SpaceReclaimed"] = pruned->space_reclaimed;
  co_return co_await ex.respond_json(http::status::ok, out);
}

// POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=
// with an optional Config body; answers 201 {"Id": ...}.
Task<Result<>> commit(Exchange& ex, Deps d) {
  if (!d.images) co_return make_error(ErrorCategory::Unavailable, "commit needs the image service");
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  const auto& q = ex.query();
  engine::CommitParams params;
  params.repo = q.get_or("repo", "");
  params.tag = q.get_or("tag", "");
  params.comment = q.get_or("comment", "");
  params.author = q.get_or("author", "");
  params.pause = !q.has("pause") || q.boolean("pause");
  params.changes = q.get_all("changes");
  params.config = *body;
  std::string ref = q.get_or("container", "");
  auto id = co_await ex.run_blocking([&] { return d.ops->commit(ref, params, *d.images); });
  if (!id) co_return tl::unexpected(id.error());
  json::object out;
  out["Id"] = *id;
  co_return co_await ex.respond_json(http::status::created, out);
}

}  // namespace

Result<> add_container_ops_routes(Router& router, const Services& services) {
  if (!services.container_ops || !services.containers) return ok();
  Deps d{services.containers, services.container_ops, services.images};
  auto bind = [d](auto fn) { return [d, fn](Exchange& ex) { return fn(ex, d); }; };
  TRY(router.add("GET", "/containers/{name}/top", bind(top)));
  TRY(router.add("GET", "/containers/{name}/stats", bind(stats)));
  TRY(router.add("POST", "/containers/{name}/pause", bind(pause)));
  TRY(router.add("POST", "/containers/{name}/unpause", bind(unpause)));
  TRY(router.add("POST", "/containers/{name}/rename", bind(rename)));
  TRY(router.add("POST", "/containers/{name}/update", bind(update)));
  TRY(router.add("POST", "/containers/prune", bind(prune)));
  TRY(router.add("POST", "/commit", bind(commit)));
  return ok();
}

}  // namespace berth::api
