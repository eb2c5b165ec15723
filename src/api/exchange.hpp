// Exchange: one HTTP request and its response, as a route handler sees it.
//
// A handler is a coroutine `Task<Result<>> handler(Exchange&)`. It reads the
// request (path parameters, query, headers, body — whole or streamed), then
// answers in exactly one of three ways:
//   respond*()                      a complete response;
//   begin_stream()/write()/end()    a chunked stream (logs, events, stats,
//                                   progress JSON lines);
//   hijack()                        101 UPGRADED, then raw bytes both ways
//                                   on the socket (attach, exec start).
// Returning an error before answering sends {"message":...} with the
// status mapped from its category (errors.hpp). All calls happen on the
// connection's strand; run_blocking() moves slow engine calls off it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/query.hpp"
#include "api/router.hpp"
#include "base/error.hpp"

namespace berth::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::generic::stream_protocol::socket;
template <typename T = void>
using Task = asio::awaitable<T>;

struct ServerLimits {
  size_t max_header_bytes = 1u << 20;  // Go's default MaxHeaderBytes
  size_t max_body_bytes = 32u << 20;   // read_body()'s default limit
  size_t drain_bytes = 1u << 20;       // unread body discarded to keep a connection
};

// The raw connection after a hijack. Reads and writes may run concurrently
// (e.g. `co_await (pump_stdin() && pump_output())`).
class Hijacked {
 public:
  // Bytes from the client; 0 means it half-closed its side (stdin EOF).
  Task<Result<size_t>> read_some(char* data, size_t size);
  Task<Result<>> write(std::string_view data);
  // Half-closes towards the client: no more output.
  Result<> shutdown_write();

 private:
  friend class Exchange;
  Hijacked(Socket& socket, beast::flat_buffer& leftover) : socket_(&socket), leftover_(&leftover) {}
  Socket* socket_;
  beast::flat_buffer* leftover_;  // bytes the HTTP parser read past the request
};

class Session;

class Exchange {
 public:
  using Parser = http::request_parser<http::buffer_body>;

  Exchange(Session& session, Parser& parser, std::string path, std::string version, Query query,
           PathParams params);

  // The request.
  http::verb method() const;
  std::string_view target() const;
  const std::string& path() const { return path_; }  // decoded, without /vX.Y
  const std::string& api_version() const { return version_; }
  bool version_at_least(std::string_view v) const;
  const Query& query() const { return query_; }
  const std::string& param(std::string_view name) const { return params_.get(name); }
  std::string_view header(std::string_view name) const;
  bool wants_upgrade() const;  // Connection: Upgrade + Upgrade: tcp

  // The body. read_body collects it (InvalidArgument past `limit`, 0 =
  // the server's default); read_body_some streams it, 0 at the end.
  Task<Result<std::string>> read_body(size_t limit = 0);
  Task<Result<size_t>> read_body_some(char* data, size_t size);
  bool body_done() const;

  // Headers added to whatever response follows.
  void set_header(std::string name, std::string value);

  Task<Result<>> respond(http::status status, std::string body,
                         std::string_view content_type = "application/json");
  // Serialized JSON plus the newline dockerd's encoder writes.
  Task<Result<>> respond_json(http::status status, const boost::json::value& value);
  Task<Result<>> respond_empty(http::status status);
  Task<Result<>> respond_error(const Error& error);

  Task<Result<>> begin_stream(http::status status, std::string_view content_type);
  Task<Result<>> write(std::string_view data);  // one chunk; empty data is a no-op
  Task<Result<>> end_stream();

  // 101 UPGRADED (or 200 OK when the client did not ask to upgrade), then
  // the raw socket. The request body must be read first.
  Task<Result<Hijacked>> hijack(std::string_view content_type);

  // Completes when the client goes away or the server shuts down; run it
  // beside a stream's producer with `||` to stop streaming to nobody.
  Task<void> peer_closed();

  // Runs `fn` (a slow, blocking engine call) on the server's blocking pool
  // and resumes on this connection's strand with its result.
  template <typename F>
  auto run_blocking(F fn) -> Task<decltype(fn())>;

  bool responded() const { return responded_; }
  bool streaming() const { return streaming_; }
  bool hijacked() const { return hijacked_; }
  bool stream_open() const { return streaming_ && !stream_ended_; }
  // Whether the connection can serve another request afterwards.
  bool keep_alive() const { return keep_alive_; }

 private:
  void add_response_fields(http::fields& fields) const;
  bool decide_keep_alive();

  Session& session_;
  Parser& parser_;
  std::string path_;
  std::string version_;
  Query query_;
  PathParams params_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
  bool responded_ = false, streaming_ = false, stream_ended_ = false, hijacked_ = false;
  bool keep_alive_ = false, continue_sent_ = false, chunked_stream_ = true;
};

asio::thread_pool& blocking_pool(Session& session);

template <typename F>
auto Exchange::run_blocking(F fn) -> Task<decltype(fn())> {
  using R = decltype(fn());
  auto home = co_await asio::this_coro::executor;
  // Resume on a pool thread (the handler is bound to the pool's executor),
  // call fn there, then hop back to the strand.
  co_await asio::post(asio::bind_executor(blocking_pool(session_), asio::use_awaitable));
  R result = fn();
  co_await asio::post(home, asio::use_awaitable);
  co_return result;
}

}  // namespace berth::api
