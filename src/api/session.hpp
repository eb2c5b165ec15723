// Internal: one client connection. Serves requests one after another
// (keep-alive) on its own strand until the client leaves, a request asks
// to close, a handler hijacks the socket, or the server shuts down.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "api/exchange.hpp"

namespace berth::api {

class Session;

// What every session shares with the server.
struct ServerCore {
  ServerCore(const Router& r, ServerLimits l, asio::thread_pool& pool)
      : router(r), limits(l), blocking(pool) {}
  const Router& router;
  ServerLimits limits;
  asio::thread_pool& blocking;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  size_t session_count();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { Idle, Busy, Streaming, Hijacked };

  Session(Socket socket, ServerCore& core) : socket_(std::move(socket)), core_(core) {}

  // Registers with the core and runs the connection on its strand.
  static void start(std::shared_ptr<Session> session);
  // Thread-safe: idle connections close now, streams and hijacked
  // sockets are cut, busy requests finish and then close.
  void shutdown();

 private:
  friend class Exchange;
  friend asio::thread_pool& blocking_pool(Session& session);

  Task<void> run();
  Task<bool> serve_one();
  Task<Result<>> dispatch(Exchange::Parser& parser);
  Task<Result<>> run_handler(const Handler& handler, Exchange& ex);
  Task<Result<>> finish(Exchange& ex, Result<> result);
  Task<void> write_plain(http::status status, std::string_view body);
  Task<bool> drain_body(Exchange& exchange);
  Task<void> linger();
  void on_shutdown();

  Socket socket_;
  ServerCore& core_;
  beast::flat_buffer buffer_;
  State state_ = State::Idle;
  bool unread_body_ = false;  // closing with request bytes still in flight
};

}  // namespace berth::api
