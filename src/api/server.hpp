// The HTTP/1.1 server: listeners (Unix sockets, TCP when configured), a
// pool of threads running one io_context, a connection per strand,
// keep-alive, concurrent requests across connections, and graceful
// shutdown (stop accepting, finish in-flight requests, cut streams).
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/exchange.hpp"
#include "api/router.hpp"
#include "api/session.hpp"

namespace berth::api {

struct ServerOptions {
  size_t threads = 0;           // io threads; 0 = from the CPU count (2..4)
  size_t blocking_threads = 4;  // for Exchange::run_blocking
  ServerLimits limits;
  std::string socket_group = "berth";
  std::chrono::milliseconds shutdown_grace{15000};
};

class Server {
 public:
  Server(Router router, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds a listener: "unix:///path" or "tcp://host:port". Call before start().
  Result<> listen(const std::string& address);
  const std::vector<std::string>& socket_paths() const { return socket_paths_; }

  // Starts the io threads and accepting.
  void start();
  // Thread-safe and idempotent: stop accepting, close idle connections,
  // cut streams, let busy requests finish (up to shutdown_grace), then
  // stop the threads.
  void shutdown();
  // Blocks until the threads have stopped; removes the Unix socket files.
  void wait();

  asio::io_context& context() { return io_; }
  size_t active_connections() { return core_.session_count(); }

 private:
  using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol,
                                               asio::strand<asio::io_context::executor_type>>;
  Task<void> accept_loop(Acceptor& acceptor);
  Task<void> drain_then_stop();
  void begin_shutdown();

  ServerOptions options_;
  Router router_;
  asio::io_context io_;
  asio::thread_pool blocking_;
  ServerCore core_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<std::string> socket_paths_;
  std::vector<std::thread> threads_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  bool shutdown_started_ = false;  // touched only on io_ threads, via post
};

}  // namespace berth::api
