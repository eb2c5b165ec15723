// Registry endpoints: POST /images/create?fromImage= (pull), POST
// /images/{name}/push, POST /auth (docker login), GET
// /distribution/{name}/json and berth's POST
// /berth/images/bootstrap. A pull or push runs
// on the blocking pool and hands each progress line to a pipe; the
// connection side copies the pipe into the chunked response as it fills,
// so the docker CLI draws its bars while the transfer runs.
//
// Errors before the stream started are plain HTTP errors (404 for a
// missing manifest, 401 for refused credentials, as dockerd); later ones become dockerd's
// {"errorDetail":..,"error":..} line. A pull's first line ("Pulling from")
// is held back until a second one shows the manifest was found.
#include "api/registry_routes.hpp"

#include <fcntl.h>
#include <cerrno>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <optional>

#include "api/errors.hpp"
#include "api/filters_json.hpp"
#include "api/progress.hpp"
#include "base/strings.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using Job = std::function<Result<>(const engine::ProgressLineFn&)>;

// Writes every line whole; a reader that went away (EPIPE) is ignored,
// the transfer itself still finishes.
void write_line(int fd, const std::string& line) {
  std::string data = line + "\n";
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Copies the pipe into the response; the response starts once more than
// `hold` lines arrived (held lines are kept in `held` until then).
Task<Result<>> pump_lines(Exchange& ex, int fd, size_t hold, std::string& held) {
  asio::posix::stream_descriptor in(co_await asio::this_coro::executor, fd);
  std::string chunk(64 * 1024, '\0');
  Result<> result = ok();
  while (true) {
    auto [ec, n] = co_await in.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (n > 0 && result) {
      held.append(chunk.data(), n);
      if (!ex.streaming() && static_cast<size_t>(std::count(held.begin(), held.end(), '\n')) > hold) {
        result = co_await ex.begin_stream(http::status::ok, "application/json");
      }
      if (result && ex.streaming()) {
        result = co_await ex.write(held);
        held.clear();
      }
    }
    if (ec) break;  // EOF: the job is done
  }
  boost::system::error_code ignored;
  in.close(ignored);
  co_return result;
}

Task<Result<>> stream_job(Exchange& ex, size_t hold, const Job& job) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) co_return sys_error("pipe2");
  auto writer = std::make_shared<UniqueFd>(fds[1]);
  // By reference only (GCC 12 coroutine bug, see image_routes_io.cpp).
  auto run = ex.run_blocking([&writer, &job]() -> Result<> {
    int fd = writer->get();
    auto r = job([fd](const std::string& line) { write_line(fd, line); });
    writer->reset();  // EOF for pump_lines
    return r;
  });
  std::string held;
  auto [done, pumped] = co_await (std::move(run) && pump_lines(ex, fds[0], hold, held));
  if (!ex.streaming()) {
    // Refused credentials are 401 (dockerd's errdefs.Unauthorized).
    if (!done && done.error().is(ErrorCategory::PermissionDenied))
      co_return co_await ex.respond(http::status::unauthorized, error_body(done.error()));
    if (!done) co_return tl::unexpected(done.error());
    auto begun = co_await ex.begin_stream(http::status::ok, "application/json");
    if (!begun) co_return begun;
    auto written = co_await ex.write(held);
    if (!written) co_return written;
  } else if (!pumped) {
    co_return tl::unexpected(pumped.error());  // the client went away
  } else if (!done) {
    auto written = co_await ex.write(progress::error(done.error().to_string()));
    if (!written) co_return written;
  }
  co_return co_await ex.end_stream();
}

Task<Result<>> push(Exchange& ex, engine::ImageService& images) {
  engine::RegistryRequest request;
  request.image = ex.param("name");
  request.tag = ex.query().get_or("tag", "");
  request.auth = std::string(ex.header("X-Registry-Auth"));
  const auto* req = &request;
  auto* svc = &images;
  Job job = [req, svc](const engine::ProgressLineFn& line) { return svc->push(*req, line); };
  co_return co_await stream_job(ex, 0, job);
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Task<Result<>> login(Exchange& ex, engine::ImageService& images) {
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  boost::system::error_code ec;
  auto doc = boost::json::parse(*body, ec);
  if (ec || !doc.is_object()) co_return make_error(ErrorCategory::InvalidArgument, "invalid JSON in /auth body");
  engine::LoginRequest request;
  request.server = string_field(doc.as_object(), "serveraddress");
  request.username = string_field(doc.as_object(), "username");
  request.password = string_field(doc.as_object(), "password");
  auto checked = co_await ex.run_blocking([&] { return images.login(request); });
  if (!checked && checked.error().is(ErrorCategory::PermissionDenied))
    co_return co_await ex.respond(http::status::unauthorized, error_body(checked.error().message()));
  if (!checked) co_return tl::unexpected(checked.error());
  co_return co_await ex.respond(http::status::ok, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}\n");
}

// berth's own: POST /berth/images/bootstrap?kind=busybox|debian[&tag=]
// [&suite=][&mirror=] builds a base image here and streams progress.
Task<Result<>> bootstrap(Exchange& ex, engine::ImageService& images) {
  const auto& q = ex.query();
  engine::ImageBootstrapRequest request;
  request.kind = q.get_or("kind", "");
  request.reference = q.get_or("tag", "");
  request.suite = q.get_or("suite", "");
  request.mirror = q.get_or("mirror", "");
  const auto* req = &request;
  auto* svc = &images;
  Job job = [req, svc](const engine::ProgressLineFn& line) { return svc->bootstrap(*req, line); };
  co_return co_await stream_job(ex, 0, job);
}

boost::json::object platform_json(const oci::Platform& p) {
  boost::json::object o{{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) o["os.version"] = p.os_version;
  if (!p.os_features.empty()) {
    boost::json::array features;
    for (const auto& f : p.os_features) features.emplace_back(f);
    o["os.features"] = std::move(features);
  }
  if (!p.variant.empty()) o["variant"] = p.variant;
  return o;
}

// GET /distribution/{name}/json: the registry's descriptor and platforms
// for a name, asked with the caller's X-Registry-Auth.
Task<Result<>> distribution(Exchange& ex, engine::ImageService& images) {
  engine::RegistryRequest request;
  request.image = ex.param("name");
  request.auth = std::string(ex.header("X-Registry-Auth"));
  auto info = co_await ex.run_blocking([&] { return images.distribution(request); });
  if (!info && info.error().is(ErrorCategory::PermissionDenied))
    co_return co_await ex.respond(http::status::unauthorized, error_body(info.error()));
  if (!info) co_return tl::unexpected(info.error());
  boost::json::array platforms;
  for (const auto& p : info->platforms) platforms.push_back(platform_json(p));
  boost::json::object body{
      {"Descriptor", {{"mediaType", info->media_type}, {"digest", info->digest}, {"size", info->size}}},
      {"Platforms", std::move(platforms)}};
  co_return co_await ex.respond(http::status::ok, boost::json::serialize(body) + "\n");
}

// GET /images/search?term=&limit=&filters=: the index's v1 search through
// the daemon, filtered as dockerd filters (is-official, is-automated,
// stars = at least that many), with dockerd's errors.
struct SearchFilter {
  int stars = 0;
  std::optional<bool> official, automated;
};

Result<SearchFilter> search_filter(const Query& q) {
  SearchFilter f;
  auto filters = TRY(query_filters(q));
  for (const auto& term : filters.terms()) {
    const std::string& key = term.first;  // not a structured binding: clang 14 cannot capture those
    const auto& values = term.second;
    if (key != "is-official" && key != "is-automated" && key != "stars")
      return make_error(ErrorCategory::InvalidArgument, "Invalid filter '" + key + "'");
    for (const auto& v : values) {
      auto bad = [&] { return make_error(ErrorCategory::InvalidArgument, "Invalid filter '" + key + "=" + v + "'"); };
      if (key == "stars") {
        auto n = parse_int<int>(v);
        if (!n) return bad();
        f.stars = std::max(f.stars, *n);
      } else if (v == "true" || v == "1" || v == "false" || v == "0") {
        (key == "is-official" ? f.official : f.automated) = v == "true" || v == "1";
      } else {
        return bad();
      }
    }
  }
  return f;
}

Task<Result<>> search(Exchange& ex, engine::ImageService& images) {
  const auto& q = ex.query();
  engine::ImageSearchRequest request;
  request.term = q.get_or("term", "");
  request.auth = std::string(ex.header("X-Registry-Auth"));
  auto limit = q.integer("limit", 0);
  if (!limit) co_return tl::unexpected(limit.error());
  if (*limit != 0 && (*limit < 1 || *limit > 100))
    co_return make_error(ErrorCategory::InvalidArgument,
                         "Limit " + std::to_string(*limit) + " is outside the range of [1, 100]");
  request.limit = *limit == 0 ? 25 : static_cast<int>(*limit);
  auto filter = search_filter(q);
  if (!filter) co_return tl::unexpected(filter.error());
  auto found = co_await ex.run_blocking([&] { return images.search(request); });
  if (!found) co_return tl::unexpected(found.error());
  boost::json::array out;
  for (const auto& r : *found) {
    if (r.star_count < filter->stars) continue;
    if (filter->official && *filter->official != r.is_official) continue;
    if (filter->automated && *filter->automated != r.is_automated) continue;
    out.push_back(boost::json::object{{"star_count", r.star_count}, {"is_official", r.is_official},
                                      {"name", r.name}, {"is_automated", r.is_automated},
                                      {"description", r.description}});
  }
  co_return co_await ex.respond_json(http::status::ok, out);
}

}  // namespace

Task<Result<>> pull_image(Exchange& ex, engine::ImageService& images) {
  const auto& q = ex.query();
  engine::RegistryRequest request;
  request.image = q.get_or("fromImage", "");
  request.tag = q.get_or("tag", "");
  request.platform = q.get_or("platform", "");
  request.auth = std::string(ex.header("X-Registry-Auth"));
  const auto* req = &request;
  auto* svc = &images;
  Job job = [req, svc](const engine::ProgressLineFn& line) { return svc->pull(*req, line); };
  co_return co_await stream_job(ex, 1, job);
}

Result<> add_registry_routes(Router& router, engine::ImageService& images) {
  auto* svc = &images;
  TRY(router.add("POST", "/images/{name*}/push", [svc](Exchange& ex) { return push(ex, *svc); }));
  TRY(router.add("POST", "/auth", [svc](Exchange& ex) { return login(ex, *svc); }));
  TRY(router.add("GET", "/distribution/{name*}/json", [svc](Exchange& ex) { return distribution(ex, *svc); }));
  TRY(router.add("POST", "/berth/images/bootstrap", [svc](Exchange& ex) { return bootstrap(ex, *svc); }));
  TRY(router.add("GET", "/images/search", [svc](Exchange& ex) { return search(ex, *svc); }));
  return ok();
}

}  // namespace berth::api
