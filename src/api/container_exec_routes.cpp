// Exec sessions: POST /containers/{id}/exec, POST /exec/{id}/start
// (hijacked and relayed to the session's monitor, or detached),
// GET /exec/{id}/json and POST /exec/{id}/resize.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/stdcopy.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using engine::ContainerOperations;
using LocalSocket = asio::local::stream_protocol::socket;
namespace json = boost::json;

Task<Result<>> exec_create(Exchange& ex, ContainerOperations& ops) {
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  std::string ref = ex.param("name");
  auto id = co_await ex.run_blocking([&] { return ops.exec_create(ref, *body); });
  if (!id) co_return tl::unexpected(id.error());
  json::object answer;
  answer["Id"] = *id;
  co_return co_await ex.respond_json(http::status::created, answer);
}

Result<engine::ExecStart> parse_start_body(std::string_view body) {
  engine::ExecStart start;
  if (body.empty()) return start;
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return make_error(ErrorCategory::InvalidArgument, "invalid JSON: exec start body must be a JSON object");
  const auto& o = v.as_object();
  if (auto* d = o.if_contains("Detach"); d && !d->is_null()) {
    if (!d->is_bool()) return make_error(ErrorCategory::InvalidArgument, "json: cannot unmarshal into field Detach of type bool");
    start.detach = d->as_bool();
  }
  if (auto* cs = o.if_contains("ConsoleSize"); cs && cs->is_array() && cs->as_array().size() == 2) {
    const auto& a = cs->as_array();
    if (a[0].is_int64() && a[1].is_int64())
      start.console_size = std::pair{static_cast<int>(a[0].as_int64()), static_cast<int>(a[1].as_int64())};
  }
  return start;
}

Task<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Task<void> pump_output(LocalSocket& monitor, Hijacked& client) {
  std::array<char, 32768> buf;
  for (;;) {
    auto [ec, n] = co_await monitor.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) co_return;
    if (!co_await client.write(std::string_view(buf.data(), n))) co_return;
  }
}

// The client's half-close closes the process's stdin; output goes on.
Task<void> pump_input(LocalSocket& monitor, Hijacked& client) {
  std::array<char, 32768> buf;
  for (;;) {
    auto n = co_await client.read_some(buf.data(), buf.size());
    if (!n || *n == 0) break;
    auto [ec, w] = co_await asio::async_write(monitor, asio::buffer(buf.data(), *n), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
  boost::system::error_code ignored;
  monitor.shutdown(LocalSocket::shutdown_send, ignored);
  co_await sleep_for(std::chrono::hours(24 * 365));
}

Task<Result<>> exec_start(Exchange& ex, ContainerOperations& ops) {
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  auto start = parse_start_body(*body);
  if (!start) co_return tl::unexpected(start.error());
  std::string id = ex.param("id");
  auto info = ops.exec_inspect(id);
  if (!info) co_return tl::unexpected(info.error());
  if (start->detach) {
    auto r = co_await ex.run_blocking([&] { return ops.exec_start(id, *start); });
    if (!r) co_return tl::unexpected(r.error());
    co_return co_await ex.respond_empty(http::status::ok);
  }
  bool tty = info->settings.tty;
  auto hijacked = co_await ex.hijack(hijack_content_type(ex.api_version(), tty));
  if (!hijacked) co_return tl::unexpected(hijacked.error());
  auto fd = co_await ex.run_blocking([&] { return ops.exec_start(id, *start); });
  if (!fd) {
    // As dockerd: the reason goes down the stream, the exit code (126/127)
    // to the exec's inspect.
    // (No temporaries in a conditional expression: GCC 12 destroys them
    // twice inside coroutines.)
    std::string msg = fd.error().to_string() + "\r\n";
    if (!tty) msg = frame(StdStream::Stdout, msg);
    (void)co_await hijacked->write(msg);
    (void)hijacked->shutdown_write();
    co_return ok();
  }
  LocalSocket monitor(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  monitor.assign(asio::local::stream_protocol(), fd->release(), ec);
  if (ec) co_return ok();
  if (info->settings.attach_stdin)
    co_await (pump_output(monitor, *hijacked) || pump_input(monitor, *hijacked));
  else
    co_await pump_output(monitor, *hijacked);
  (void)hijacked->shutdown_write();
  co_return ok();
}

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Task<Result<>> exec_inspect(Exchange& ex, ContainerOperations& ops) {
  auto info = ops.exec_inspect(ex.param("id"));
  if (!info) co_return tl::unexpected(info.error());
  const auto& s = info->settings;
  std::vector<std::string> args(s.cmd.begin() + 1, s.cmd.end());
  json::object process;
  process["tty"] = s.tty;
  process["entrypoint"] = s.cmd.front();
  process["arguments"] = string_array(args);
  process["privileged"] = s.privileged;
  process["user"] = s.user;
  json::object out;
  out["ID"] = info->id;
  out["Running"] = info->running;
  if (info->exit_code) out["ExitCode"] = *info->exit_code;
  else out["ExitCode"] = nullptr;
  out["ProcessConfig"] = std::move(process);
  out["OpenStdin"] = s.attach_stdin;
  out["OpenStderr"] = s.attach_stderr;
  out["OpenStdout"] = s.attach_stdout;
  out["CanRemove"] = false;
  out["ContainerID"] = info->container_id;
  out["DetachKeys"] = s.detach_keys;
  out["Pid"] = info->pid;
  co_return co_await ex.respond_json(http::status::ok, out);
}

Task<Result<>> exec_resize(Exchange& ex, ContainerOperations& ops) {
  auto h = ex.query().integer("h", 0);
  auto w = ex.query().integer("w", 0);
  if (!h) co_return tl::unexpected(h.error());
  if (!w) co_return tl::unexpected(w.error());
  std::string id = ex.param("id");
  auto r = co_await ex.run_blocking([&] { return ops.exec_resize(id, static_cast<int>(*h), static_cast<int>(*w)); });
  if (!r) co_return r;
  co_return co_await ex.respond(http::status::ok, "", "text/plain; charset=utf-8");
}

}  // namespace

Result<> add_exec_routes(Router& router, const Services& services) {
  if (!services.container_ops) return ok();
  auto* ops = services.container_ops;
  auto bind = [ops](auto fn) { return [ops, fn](Exchange& ex) { return fn(ex, *ops); }; };
  TRY(router.add("POST", "/containers/{name}/exec", bind(exec_create)));
  TRY(router.add("POST", "/exec/{id}/start", bind(exec_start)));
  TRY(router.add("GET", "/exec/{id}/json", bind(exec_inspect)));
  TRY(router.add("POST", "/exec/{id}/resize", bind(exec_resize)));
  return ok();
}

}  // namespace berth::api
