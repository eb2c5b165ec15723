#include "api/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <limits>

#include "api/errors.hpp"
#include "api/resolve.hpp"
#include "base/log.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::bad_descriptor || ec == http::error::partial_message;
}

}  // namespace

size_t ServerCore::session_count() {
  std::lock_guard lock(mu);
  return sessions.size();
}

asio::thread_pool& blocking_pool(Session& session) { return session.core_.blocking; }

void Session::start(std::shared_ptr<Session> session) {
  {
    std::lock_guard lock(session->core_.mu);
    session->core_.sessions[session.get()] = session;
  }
  auto executor = session->socket_.get_executor();
  asio::co_spawn(
      executor,
      [s = std::move(session)]() -> Task<void> {
        try {
          co_await s->run();
        } catch (const std::exception& e) {
          log::error("api connection failed", {{"error", e.what()}});
        }
        std::lock_guard lock(s->core_.mu);
        s->core_.sessions.erase(s.get());
      },
      asio::detached);
}

void Session::shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->on_shutdown(); });
}

void Session::on_shutdown() {
  boost::system::error_code ec;
  if (state_ == State::Idle) {
    socket_.close(ec);  // cancels the pending header read
  } else if (state_ == State::Streaming || state_ == State::Hijacked) {
    socket_.shutdown(Socket::shutdown_both, ec);
    socket_.close(ec);
  }
  // Busy: the request finishes; keep-alive is refused because core_.stopping.
}

Task<void> Session::run() {
  while (!core_.stopping && socket_.is_open()) {
    if (!co_await serve_one()) break;
  }
  if (unread_body_ && socket_.is_open()) co_await linger();
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
}

// We answered (an error, usually) before reading the whole body. Closing
// now would reset the connection while the client is still sending, and
// it would lose our answer; so, like Go's server, stop writing and discard
// what still arrives for a little while first.
Task<void> Session::linger() {
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  std::array<char, 16384> scratch;
  size_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  asio::steady_timer timer(socket_.get_executor());
  while (total < (64u << 20)) {
    timer.expires_at(deadline);
    auto which = co_await (socket_.async_read_some(asio::buffer(scratch), kTuple) ||
                           timer.async_wait(kTuple));
    if (which.index() != 0) break;
    auto [read_ec, n] = std::get<0>(which);
    if (read_ec) break;
    total += n;
  }
}

Task<void> Session::write_plain(http::status status, std::string_view body) {
  // The shape of Go's net/http answer to a request it cannot parse.
  std::string text = "HTTP/1.1 " + std::to_string(static_cast<unsigned>(status)) + " " +
                     std::string(http::obsolete_reason(status)) +
                     "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  co_await asio::async_write(socket_, asio::buffer(text), kTuple);
}

Task<bool> Session::serve_one() {
  Exchange::Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(core_.limits.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // read_body() enforces limits
  state_ = State::Idle;
  auto [ec, n] = co_await http::async_read_header(socket_, buffer_, parser, kTuple);
  if (ec) {
    if (is_disconnect(ec)) co_return false;
    if (ec == http::error::header_limit) {
      co_await write_plain(http::status::request_header_fields_too_large,
                           "431 Request Header Fields Too Large");
    } else {
      log::debug("api: malformed request", {{"error", ec.message()}});
      co_await write_plain(http::status::bad_request, "400 Bad Request");
    }
    co_return false;
  }
  state_ = State::Busy;
  auto started = std::chrono::steady_clock::now();
  auto result = co_await dispatch(parser);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  if (log::enabled(log::Level::Debug))
    log::debug("api request", {{"method", std::string(parser.get().method_string())},
                               {"target", std::string(parser.get().target())},
                               {"ms", static_cast<int64_t>(ms)}});
  co_return result.has_value();
}

// Routes one request and makes sure it got exactly one answer. Returns an
// error when the connection cannot serve another request.
Task<Result<>> Session::dispatch(Exchange::Parser& parser) {
  auto r = resolve_request(core_.router, std::string_view(parser.get().method_string()),
                           std::string_view(parser.get().target()));
  if (r.plain_text_errors()) {
    co_await write_plain(http::status::bad_request, r.error->to_string() + "\n");
    co_return make_error(ErrorCategory::InvalidArgument, "version too old");
  }
  Exchange ex(*this, parser, std::move(r.path), std::move(r.version), std::move(r.query),
              std::move(r.params));
  Result<> result = ok();
  if (r.wrong_method) {
    // A routing answer rather than an engine error, so not in errors.cpp.
    result = co_await ex.respond(http::status::method_not_allowed, error_body("method not allowed"));
  } else if (r.error) {
    result = tl::unexpected(*r.error);
  } else {
    result = co_await run_handler(*r.handler, ex);
  }
  co_return co_await finish(ex, std::move(result));
}

Task<Result<>> Session::run_handler(const Handler& handler, Exchange& ex) {
  try {
    co_return co_await handler(ex);
  } catch (const std::exception& e) {
    // A bug (or a throwing library call nobody caught): answer 500, keep serving.
    co_return make_error(ErrorCategory::Internal, std::string("handler failed: ") + e.what());
  }
}

// Sends the error a handler returned if it had not answered, ends an open
// stream, and decides whether the connection serves another request.
Task<Result<>> Session::finish(Exchange& ex, Result<> result) {
  if (!ex.responded()) {
    if (result) result = make_error(ErrorCategory::Internal, "handler sent no response");
    auto sent = co_await ex.respond_error(result.error());
    if (!sent) co_return sent;
  } else if (ex.stream_open()) {
    if (!result) {
      log::warn("api stream ended with an error", {{"error", result.error()}});
      co_return result;
    }
    auto ended = co_await ex.end_stream();
    if (!ended) co_return ended;
  } else if (!result && !ex.hijacked()) {
    log::warn("api handler failed after responding", {{"error", result.error()}});
  }
  if (ex.hijacked()) co_return make_error(ErrorCategory::Unavailable, "hijacked");
  if (!ex.keep_alive()) {
    unread_body_ = !ex.body_done();
    co_return make_error(ErrorCategory::Unavailable, "close");
  }
  if (!co_await drain_body(ex)) co_return make_error(ErrorCategory::Unavailable, "close");
  co_return ok();
}

// Discards a body the handler did not read, so the next request parses.
Task<bool> Session::drain_body(Exchange& ex) {
  std::string scratch(16 * 1024, '\0');
  size_t total = 0;
  while (!ex.body_done()) {
    auto n = co_await ex.read_body_some(scratch.data(), scratch.size());
    if (!n || *n == 0) co_return ex.body_done();
    total += *n;
    if (total > core_.limits.drain_bytes) co_return false;
  }
  co_return true;
}

}  // namespace berth::api
