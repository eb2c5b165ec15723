// The local-image endpoints: list, inspect, history, tag, delete, prune.
// (Load, save and import, which move tar streams, are in
// image_routes_io.cpp.)
#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/image_json.hpp"

namespace berth::api {
namespace {

Task<Result<>> list(Exchange& ex, engine::ImageService& images) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  bool all = ex.query().boolean("all");
  auto found = co_await ex.run_blocking([&] { return images.list(*filters, all); });
  if (!found) co_return tl::unexpected(found.error());
  boost::json::array out;
  for (const auto& s : *found) out.push_back(image_summary_json(s, ex.api_version()));
  co_return co_await ex.respond_json(http::status::ok, out);
}

Task<Result<>> inspect(Exchange& ex, engine::ImageService& images) {
  auto name = ex.param("name");
  auto d = co_await ex.run_blocking([&] { return images.inspect(name); });
  if (!d) co_return tl::unexpected(d.error());
  co_return co_await ex.respond_json(http::status::ok, image_inspect_json(*d, ex.api_version()));
}

Task<Result<>> history(Exchange& ex, engine::ImageService& images) {
  auto name = ex.param("name");
  auto h = co_await ex.run_blocking([&] { return images.history(name); });
  if (!h) co_return tl::unexpected(h.error());
  co_return co_await ex.respond_json(http::status::ok, image_history_json(*h));
}

Task<Result<>> tag(Exchange& ex, engine::ImageService& images) {
  auto name = ex.param("name");
  auto repo = ex.query().get_or("repo", "");
  auto tag = ex.query().get_or("tag", "");
  auto r = co_await ex.run_blocking([&] { return images.tag(name, repo, tag); });
  if (!r) co_return tl::unexpected(r.error());
  co_return co_await ex.respond_empty(http::status::created);
}

Task<Result<>> remove(Exchange& ex, engine::ImageService& images) {
  auto name = ex.param("name");
  bool force = ex.query().boolean("force");
  auto items = co_await ex.run_blocking([&] { return images.remove(name, force); });
  if (!items) co_return tl::unexpected(items.error());
  co_return co_await ex.respond_json(http::status::ok, image_delete_json(*items));
}

Task<Result<>> prune(Exchange& ex, engine::ImageService& images) {
  auto filters = query_filters(ex.query());
  if (!filters) co_return tl::unexpected(filters.error());
  auto report = co_await ex.run_blocking([&] { return images.prune(*filters); });
  if (!report) co_return tl::unexpected(report.error());
  co_return co_await ex.respond_json(http::status::ok, image_prune_json(*report));
}

}  // namespace

Result<> add_image_routes(Router& router, const Services& services) {
  if (!services.images) return ok();
  auto* images = services.images;
  auto bind = [images](Task<Result<>> (*fn)(Exchange&, engine::ImageService&)) {
    return [images, fn](Exchange& ex) { return fn(ex, *images); };
  };
  TRY(router.add("GET", "/images/json", bind(list)));
  TRY(router.add("GET", "/images/{name*}/json", bind(inspect)));
  TRY(router.add("GET", "/images/{name*}/history", bind(history)));
  TRY(router.add("POST", "/images/{name*}/tag", bind(tag)));
  TRY(router.add("DELETE", "/images/{name*}", bind(remove)));
  TRY(router.add("POST", "/images/prune", bind(prune)));
  TRY(add_image_io_routes(router, *images));
  return ok();
}

}  // namespace berth::api
