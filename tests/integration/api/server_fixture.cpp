#include "server_fixture.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api/json_body.hpp"
#include "support/root.hpp"

namespace berth::api::testing {
namespace {

using namespace asio::experimental::awaitable_operators;

Task<void> sleep_ms(int ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Echo for the hijack test: upper-cases what the client sends while it
// sends it; after the client's half-close, says goodbye and closes.
Task<Result<>> hijack_echo(Exchange& ex) {
  auto conn = co_await ex.hijack("application/vnd.docker.raw-stream");
  if (!conn) co_return tl::unexpected(conn.error());
  std::array<char, 4096> buf;
  for (;;) {
    auto n = co_await conn->read_some(buf.data(), buf.size());
    if (!n) co_return tl::unexpected(n.error());
    if (*n == 0) break;  // stdin EOF: output continues
    std::string out(buf.data(), *n);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto w = co_await conn->write(out);
    if (!w) co_return w;
  }
  auto w = co_await conn->write("bye\n");
  if (!w) co_return w;
  co_return conn->shutdown_write();
}

Task<Result<>> count_body(Exchange& ex, std::atomic<int>& reads) {
  std::string buf(64 * 1024, '\0');
  size_t total = 0;
  for (;;) {
    auto n = co_await ex.read_body_some(buf.data(), buf.size());
    if (!n) co_return tl::unexpected(n.error());
    if (*n == 0) break;
    ++reads;
    total += *n;
  }
  boost::json::object reply;
  reply["bytes"] = total;
  co_return co_await ex.respond_json(http::status::ok, reply);
}

Task<Result<>> read_json(Exchange& ex) {
  auto doc = co_await read_json_body(ex);
  if (!doc) co_return tl::unexpected(doc.error());
  co_return co_await ex.respond_json(http::status::created, *doc);
}

Task<Result<>> chunks(Exchange& ex) {
  auto r = co_await ex.begin_stream(http::status::ok, "text/plain");
  if (!r) co_return r;
  for (int i = 0; i < 3; ++i) {
    r = co_await ex.write("chunk" + std::to_string(i) + "\n");
    if (!r) co_return r;
    co_await sleep_ms(100);
  }
  co_return ok();
}

Task<Result<>> wait_for_release(Exchange& ex, std::shared_ptr<std::atomic<bool>> released) {
  for (int i = 0; i < 500 && !*released; ++i) co_await sleep_ms(10);
  co_return co_await ex.respond(http::status::ok, *released ? "released" : "timeout", "text/plain");
}

Task<Result<>> which_thread(Exchange& ex) {
  auto here = std::this_thread::get_id();
  auto there = co_await ex.run_blocking([] { return std::this_thread::get_id(); });
  co_return co_await ex.respond(http::status::ok, there != here ? "pool" : "same", "text/plain");
}

}  // namespace

void ApiServerTest::add_test_routes(Router& router) {
  ASSERT_TRUE(router.add("POST", "/test/hijack", hijack_echo));
  ASSERT_TRUE(router.add("POST", "/test/count", [this](Exchange& ex) { return count_body(ex, body_reads_); }));
  ASSERT_TRUE(router.add("POST", "/test/json", read_json));
  ASSERT_TRUE(router.add("GET", "/test/chunks", chunks));
  ASSERT_TRUE(router.add("GET", "/test/slow", [](Exchange& ex) -> Task<Result<>> {
    co_await sleep_ms(500);
    co_return co_await ex.respond(http::status::ok, "slow done", "text/plain");
  }));
  auto released = released_;
  ASSERT_TRUE(router.add("GET", "/test/wait", [released](Exchange& ex) { return wait_for_release(ex, released); }));
  ASSERT_TRUE(router.add("POST", "/test/release", [released](Exchange& ex) -> Task<Result<>> {
    *released = true;
    co_return co_await ex.respond_empty(http::status::no_content);
  }));
  ASSERT_TRUE(router.add("GET", "/test/thread", which_thread));
}

void ApiServerTest::SetUp() {
  BERTH_REQUIRE_ROOT();
  char tmpl[] = "/tmp/berth-api-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  socket_ = dir_ + "/api.sock";
  engine::DaemonConfig config;
  config.data_root = dir_ + "/data";
  auto system = engine::HostSystemService::create(config, events_);
  ASSERT_TRUE(system) << system.error().to_string();
  system_ = std::move(*system);
  auto router = docker_router({system_.get(), &events_});
  ASSERT_TRUE(router);
  add_test_routes(*router);
  ServerOptions options;
  options.threads = 2;
  options.limits.max_body_bytes = 1 << 20;
  options.shutdown_grace = std::chrono::milliseconds(3000);
  server_ = std::make_unique<Server>(std::move(*router), options);
  auto listening = server_->listen("unix://" + socket_);
  ASSERT_TRUE(listening) << listening.error().to_string();
  server_->start();
}

void ApiServerTest::stop_server() {
  if (!server_) return;
  server_->shutdown();
  server_->wait();
  server_.reset();
}

void ApiServerTest::TearDown() {
  stop_server();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

Client ApiServerTest::connect() {
  auto c = Client::connect("unix://" + socket_);
  EXPECT_TRUE(c) << c.error().to_string();
  c->set_timeout(std::chrono::seconds(10));
  return std::move(*c);
}

std::string raw_exchange(const std::string& socket, const std::string& bytes) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "<connect failed>";
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace berth::api::testing
