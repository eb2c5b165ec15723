// The container's files: HEAD/GET/PUT /containers/{id}/archive (docker cp,
// with X-Docker-Container-Path-Stat), GET /containers/{id}/export and
// GET /containers/{id}/changes. Tars flow through a pipe between the
// engine (on the blocking pool) and the connection, never whole in memory.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <memory>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using engine::ContainerOperations;
using Pipe = asio::posix::stream_descriptor;
namespace json = boost::json;

std::string base64(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(t[(v >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {t[(v >> 18) & 63], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[(v >> 18) & 63], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

std::string stat_header(const engine::PathStat& s) {
  json::object o;
  o["name"] = s.name;
  o["size"] = s.size;
  o["mode"] = s.mode;
  o["mtime"] = s.mtime;
  o["linkTarget"] = s.link_target;
  return base64(json::serialize(o));
}

Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
  return std::pair{UniqueFd(p[0]), UniqueFd(p[1])};
}

using Producer = std::function<Result<>(int fd)>;

// Runs `produce` on the blocking pool, writing into the pipe. (Lambdas
// handed to coroutines capture by reference only: GCC 12 destroys
// by-value captures of a coroutine's lambda argument twice.)
Task<Result<>> produce_into(Exchange& ex, const Producer& produce, UniqueFd& wr_end) {
  UniqueFd* wr = &wr_end;
  auto r = co_await ex.run_blocking([&] {
    auto done = produce(wr->get());
    wr->reset();  // EOF for the reader
    return done;
  });
  co_return r;
}

// Relays the pipe to the chunked response; closing the read end on the
// way out makes a producer whose client left fail with EPIPE.
Task<Result<>> relay_out(Exchange& ex, Pipe& rd) {
  std::array<char, 65536> buf;
  Result<> result = ok();
  for (;;) {
    auto [ec, n] = co_await rd.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    auto sent = co_await ex.write(std::string_view(buf.data(), n));
    if (!sent) {
      result = sent;
      break;
    }
  }
  boost::system::error_code ignored;
  rd.close(ignored);
  co_return result;
}

Task<Result<>> stream_tar(Exchange& ex, const Producer& produce) {
  auto pipe = make_pipe();
  if (!pipe) co_return tl::unexpected(pipe.error());
  Pipe rd(co_await asio::this_coro::executor, pipe->first.release());
  UniqueFd wr = std::move(pipe->second);
  auto begun = co_await ex.begin_stream(http::status::ok, "application/x-tar");
  if (!begun) co_return begun;
  // (No structured bindings of a co_await's result: GCC 12 mishandles them.)
  auto both = co_await (produce_into(ex, produce, wr) && relay_out(ex, rd));
  // Once streaming, a failure can only cut the stream short.
  if (!std::get<0>(both) || !std::get<1>(both)) co_return ok();
  co_return co_await ex.end_stream();
}

Task<Result<>> archive_head(Exchange& ex, ContainerOperations& ops) {
  std::string ref = ex.param("name"), path = ex.query().get_or("path", "");
  auto st = co_await ex.run_blocking([&] { return ops.archive_stat(ref, path); });
  if (!st) co_return tl::unexpected(st.error());
  ex.set_header("X-Docker-Container-Path-Stat", stat_header(*st));
  co_return co_await ex.respond(http::status::ok, "", "application/json");
}

Task<Result<>> archive_get(Exchange& ex, ContainerOperations& ops) {
  std::string ref = ex.param("name"), path = ex.query().get_or("path", "");
  auto st = co_await ex.run_blocking([&] { return ops.archive_stat(ref, path); });
  if (!st) co_return tl::unexpected(st.error());
  ex.set_header("X-Docker-Container-Path-Stat", stat_header(*st));
  Producer produce = [&](int fd) { return ops.archive_get(ref, path, fd); };
  co_return co_await stream_tar(ex, produce);
}

// The request body into the pipe, until it ends or the reader closed.
Task<Result<>> feed_body(Exchange& ex, Pipe& wr) {
  std::array<char, 65536> buf;
  Result<> result = ok();
  for (;;) {
    auto n = co_await ex.read_body_some(buf.data(), buf.size());
    if (!n) {
      result = tl::unexpected(n.error());
      break;
    }
    if (*n == 0) break;
    auto [ec, w] = co_await asio::async_write(wr, asio::buffer(buf.data(), *n), asio::as_tuple(asio::use_awaitable));
    if (ec) break;  // the extraction ended early and says why
  }
  boost::system::error_code ignored;
  wr.close(ignored);
  co_return result;
}

Task<Result<>> extract_from(Exchange& ex, ContainerOperations& ops, const std::string& ref, const std::string& path,
                            bool no_overwrite, UniqueFd& rd) {
  auto r = co_await ex.run_blocking([&] {
    auto done = ops.archive_put(ref, path, rd.get(), no_overwrite);
    rd.reset();
    return done;
  });
  co_return r;
}

Task<Result<>> archive_put(Exchange& ex, ContainerOperations& ops) {
  std::string ref = ex.param("name"), path = ex.query().get_or("path", "");
  bool no_overwrite = ex.query().boolean("noOverwriteDirNonDir");
  // Fail before reading a byte of the body when the target is wrong.
  auto st = co_await ex.run_blocking([&] { return ops.archive_stat(ref, path); });
  if (!st) co_return tl::unexpected(st.error());
  auto pipe = make_pipe();
  if (!pipe) co_return tl::unexpected(pipe.error());
  UniqueFd rd = std::move(pipe->first);
  Pipe wr(co_await asio::this_coro::executor, pipe->second.release());
  auto both = co_await (feed_body(ex, wr) && extract_from(ex, ops, ref, path, no_overwrite, rd));
  if (!std::get<1>(both)) co_return tl::unexpected(std::get<1>(both).error());
  if (!std::get<0>(both)) co_return tl::unexpected(std::get<0>(both).error());
  co_return co_await ex.respond(http::status::ok, "", "text/plain; charset=utf-8");
}

Task<Result<>> export_tar(Exchange& ex, ContainerOperations& ops, engine::ContainerService& cs) {
  auto c = cs.get(ex.param("name"));
  if (!c) co_return tl::unexpected(c.error());
  std::string id = c->id;
  Producer produce = [&](int fd) { return ops.export_rootfs(id, fd); };
  co_return co_await stream_tar(ex, produce);
}

Task<Result<>> changes(Exchange& ex, ContainerOperations& ops) {
  std::string ref = ex.param("name");
  auto list = co_await ex.run_blocking([&] { return ops.changes(ref); });
  if (!list) co_return tl::unexpected(list.error());
  json::array out;
  for (const auto& ch : *list) {
    json::object o;
    o["Path"] = ch.path;
    o["Kind"] = ch.kind;
    out.push_back(std::move(o));
  }
  co_return co_await ex.respond_json(http::status::ok, out);
}

}  // namespace

Result<> add_container_archive_routes(Router& router, const Services& services) {
  if (!services.container_ops || !services.containers) return ok();
  auto* ops = services.container_ops;
  auto* cs = services.containers;
  auto bind = [ops](auto fn) { return [ops, fn](Exchange& ex) { return fn(ex, *ops); }; };
  TRY(router.add("HEAD", "/containers/{name}/archive", bind(archive_head)));
  TRY(router.add("GET", "/containers/{name}/archive", bind(archive_get)));
  TRY(router.add("PUT", "/containers/{name}/archive", bind(archive_put)));
  TRY(router.add("GET", "/containers/{name}/changes", bind(changes)));
  TRY(router.add("GET", "/containers/{name}/export",
                 [ops, cs](Exchange& ex) { return export_tar(ex, *ops, *cs); }));
  return ok();
}

}  // namespace berth::api
