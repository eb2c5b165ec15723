#include "api/server.hpp"

#include <fcntl.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/listener.hpp"
#include "base/log.hpp"

namespace berth::api {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

size_t default_threads() {
  size_t hw = std::thread::hardware_concurrency();
  return std::clamp<size_t>(hw, 2, 4);
}

}  // namespace

Server::Server(Router router, ServerOptions options)
    : options_(std::move(options)),
      router_(std::move(router)),
      blocking_(options_.blocking_threads),
      core_(router_, options_.limits, blocking_) {}

Server::~Server() {
  if (!threads_.empty()) {
    shutdown();
    wait();
  }
  blocking_.join();
}

Result<> Server::listen(const std::string& address) {
  auto spec = TRY(parse_listen_address(address));
  UniqueFd fd;
  int family = AF_UNIX;
  if (spec.kind == ListenAddress::Kind::Unix) {
    fd = TRY_CTX(open_unix_listener(spec.path, options_.socket_group), "listen " + address);
    socket_paths_.push_back(spec.path);
  } else {
    fd = TRY_CTX(open_tcp_listener(spec.host, spec.port), "listen " + address);
    family = spec.host.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (spec.host != "127.0.0.1" && spec.host != "::1")
      log::warn("listening on TCP without TLS: anyone who can reach it controls the daemon",
                {{"address", address}});
  }
  auto acceptor = std::make_unique<Acceptor>(asio::make_strand(io_));
  boost::system::error_code ec;
  acceptor->assign(asio::generic::stream_protocol(family, 0), fd.get(), ec);
  if (ec) return make_error(ErrorCategory::Internal, "assign listener: " + ec.message());
  (void)fd.release();  // the acceptor owns it now
  acceptors_.push_back(std::move(acceptor));
  log::info("api listening", {{"address", address}});
  return ok();
}

void Server::start() {
  work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      io_.get_executor());
  for (auto& acceptor : acceptors_)
    asio::co_spawn(acceptor->get_executor(), accept_loop(*acceptor), asio::detached);
  size_t n = options_.threads ? options_.threads : default_threads();
  for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
}

Task<void> Server::accept_loop(Acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io_), kTuple);
    if (ec == asio::error::operation_aborted || core_.stopping || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of fds or similar: back off instead of spinning.
      log::warn("api accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    // Asio accepts without SOCK_CLOEXEC: a child berthd spawns (monitor,
    // runtime, credential helper) must not inherit a client's connection,
    // or the client waits for an EOF that never comes.
    ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
    if (socket.local_endpoint().protocol().family() != AF_UNIX) {
      // Stream chunks (events, logs) are small writes: do not let Nagle
      // hold them back.
      int one = 1;
      ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    Session::start(std::make_shared<Session>(Socket(std::move(socket)), core_));
  }
}

void Server::shutdown() {
  asio::post(io_, [this] { begin_shutdown(); });
}

void Server::begin_shutdown() {
  if (shutdown_started_) return;
  shutdown_started_ = true;
  core_.stopping = true;
  log::info("api shutting down", {{"connections", static_cast<int64_t>(core_.session_count())}});
  for (auto& acceptor : acceptors_)
    asio::post(acceptor->get_executor(), [a = acceptor.get()] {
      boost::system::error_code ec;
      a->close(ec);
    });
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(core_.mu);
    for (auto& [ptr, weak] : core_.sessions)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->shutdown();
  asio::co_spawn(io_, drain_then_stop(), asio::detached);
}

Task<void> Server::drain_then_stop() {
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  asio::steady_timer tick(io_);
  while (core_.session_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(kTuple);
  }
  if (auto left = core_.session_count())
    log::warn("api shutdown: closing busy connections", {{"connections", static_cast<int64_t>(left)}});
  work_.reset();
  io_.stop();
}

void Server::wait() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  acceptors_.clear();
  for (const auto& path : socket_paths_) ::unlink(path.c_str());
  socket_paths_.clear();
}

}  // namespace berth::api
