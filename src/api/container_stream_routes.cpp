// GET /containers/{id}/logs (from the json-file log the monitor writes)
// and POST /containers/{id}/attach (hijacked, relayed to the monitor).
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <deque>

#include "api/container_json.hpp"
#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/notifier.hpp"
#include "api/stdcopy.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
using engine::ContainerService;

struct LogQuery {
  bool out = false, err = false, follow = false, timestamps = false;
  int64_t tail = -1;  // -1: all
  int64_t since = 0, until = 0;
};

Result<LogQuery> parse_log_query(const Query& q) {
  LogQuery lq;
  lq.out = q.boolean("stdout");
  lq.err = q.boolean("stderr");
  if (!lq.out && !lq.err)
    return make_error(ErrorCategory::InvalidArgument, "Bad parameters: you must choose at least one stream");
  lq.follow = q.boolean("follow");
  lq.timestamps = q.boolean("timestamps");
  std::string tail = q.get_or("tail", "all");
  if (tail != "all" && !tail.empty()) {
    auto n = parse_int<int64_t>(tail);
    lq.tail = n && *n >= 0 ? *n : -1;
  }
  if (auto s = q.get("since"); s && !s->empty() && *s != "0") lq.since = TRY(parse_timestamp(*s));
  if (auto u = q.get("until"); u && !u->empty() && *u != "0") lq.until = TRY(parse_timestamp(*u));
  return lq;
}

// Reads the complete lines past `offset` and renders those the query wants.
class LogReader {
 public:
  LogReader(std::string path, const LogQuery& q, bool tty) : path_(std::move(path)), q_(q), tty_(tty) {}

  std::string read_new(bool apply_tail) {
    if (!fd_) {
      auto fd = open_file(path_, O_RDONLY | O_CLOEXEC);
      if (!fd) return "";
      fd_ = std::move(*fd);
    }
    char buf[65536];
    for (;;) {
      ssize_t n = ::pread(fd_.get(), buf, sizeof buf, offset_);
      if (n <= 0) break;
      offset_ += n;
      partial_.append(buf, static_cast<size_t>(n));
    }
    std::deque<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string rendered = render(std::string_view(partial_).substr(start, nl - start));
      if (rendered.empty()) continue;
      lines.push_back(std::move(rendered));
      if (apply_tail && q_.tail >= 0 && lines.size() > static_cast<size_t>(q_.tail)) lines.pop_front();
    }
    partial_.erase(0, start);
    std::string out;
    for (auto& l : lines) out += l;
    return out;
  }

 private:
  std::string render(std::string_view line) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) return "";
    const auto& o = v.as_object();
    auto field = [&](const char* k) -> std::string {
      auto* p = o.if_contains(k);
      return p && p->is_string() ? std::string(p->as_string()) : "";
    };
    std::string stream = field("stream"), log = field("log"), time = field("time");
    bool is_err = stream == "stderr";
    if ((is_err && !q_.err) || (!is_err && !q_.out)) return "";
    if (q_.since || q_.until) {
      int64_t t = rfc3339_nanos(time);
      if ((q_.since && t < q_.since) || (q_.until && t > q_.until)) return "";
    }
    if (q_.timestamps) log = time + " " + log;
    return tty_ ? log : frame(is_err ? StdStream::Stderr : StdStream::Stdout, log);
  }

  std::string path_;
  LogQuery q_;
  bool tty_;
  UniqueFd fd_;
  off_t offset_ = 0;
  std::string partial_;
};

Task<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Task<Result<>> logs(Exchange& ex, ContainerService& cs) {
  auto c = cs.get(ex.param("name"));
  if (!c) co_return tl::unexpected(c.error());
  auto lq = parse_log_query(ex.query());
  if (!lq) co_return tl::unexpected(lq.error());
  auto notifier = Notifier::create(co_await asio::this_coro::executor);
  auto watch = cs.watch(c->id, [weak = std::weak_ptr(notifier)] {
    if (auto n = weak.lock()) n->wake();
  });
  LogReader reader(c->log_path, *lq, c->tty);
  auto begun = co_await ex.begin_stream(http::status::ok, c->tty ? "application/vnd.docker.raw-stream"
                                                                  : "application/vnd.docker.multiplexed-stream");
  if (!begun) co_return begun;
  auto sent = co_await ex.write(reader.read_new(true));
  if (!sent || !lq->follow) co_return sent;
  for (;;) {
    auto now = cs.get(c->id);
    bool running = now && now->state.running();
    auto more = co_await ex.write(reader.read_new(false));
    if (!more) co_return more;
    if (!running) co_return ok();  // read once more after the exit: nothing is lost
    auto which = co_await (notifier->wait() || sleep_for(std::chrono::milliseconds(200)) || ex.peer_closed());
    if (which.index() == 2) co_return ok();
  }
}

using LocalSocket = asio::local::stream_protocol::socket;

Task<void> pump_output(LocalSocket& monitor, Hijacked& client) {
  std::array<char, 32768> buf;
  for (;;) {
    auto [ec, n] = co_await monitor.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) co_return;
    if (!co_await client.write(std::string_view(buf.data(), n))) co_return;
  }
}

// Client bytes go to the container's stdin; the client's half-close closes
// it, and then this side just waits (output keeps flowing).
Task<void> pump_input(LocalSocket& monitor, Hijacked& client) {
  std::array<char, 32768> buf;
  for (;;) {
    auto n = co_await client.read_some(buf.data(), buf.size());
    if (!n) co_return;
    if (*n == 0) break;
    auto [ec, w] = co_await asio::async_write(monitor, asio::buffer(buf.data(), *n), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
  boost::system::error_code ignored;
  monitor.shutdown(LocalSocket::shutdown_send, ignored);
  co_await sleep_for(std::chrono::hours(24 * 365));
}

Task<Result<>> attach(Exchange& ex, ContainerService& cs) {
  auto c = cs.get(ex.param("name"));
  if (!c) co_return tl::unexpected(c.error());
  engine::AttachStreams streams{ex.query().boolean("stdin"), ex.query().boolean("stdout"), ex.query().boolean("stderr")};
  auto reservation = cs.reserve_attach(c->id);
  if (!reservation) co_return tl::unexpected(reservation.error());
  auto notifier = Notifier::create(co_await asio::this_coro::executor);
  auto watch = cs.watch(c->id, [weak = std::weak_ptr(notifier)] {
    if (auto n = weak.lock()) n->wake();
  });
  auto body = co_await ex.read_body();
  if (!body) co_return tl::unexpected(body.error());
  auto hijacked = co_await ex.hijack(hijack_content_type(ex.api_version(), c->tty));
  if (!hijacked) co_return tl::unexpected(hijacked.error());
  // Before start the monitor does not exist yet: wait for it (the start
  // waits for this reservation before letting the container run).
  UniqueFd fd;
  for (;;) {
    auto got = cs.attach(c->id, streams);
    if (got) {
      fd = std::move(*got);
      break;
    }
    if (got.error().category() != ErrorCategory::Unavailable || !cs.get(c->id)) co_return ok();
    co_await (notifier->wait() || sleep_for(std::chrono::seconds(1)));
  }
  reservation->reset();
  LocalSocket monitor(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  monitor.assign(asio::local::stream_protocol(), fd.release(), ec);
  if (ec) co_return ok();
  if (streams.in)
    co_await (pump_output(monitor, *hijacked) || pump_input(monitor, *hijacked));
  else
    co_await pump_output(monitor, *hijacked);
  (void)hijacked->shutdown_write();
  co_return ok();
}

}  // namespace

Result<> add_container_stream_routes(Router& router, const Services& services) {
  auto* cs = services.containers;
  TRY(router.add("GET", "/containers/{name}/logs", [cs](Exchange& ex) { return logs(ex, *cs); }));
  TRY(router.add("POST", "/containers/{name}/attach", [cs](Exchange& ex) { return attach(ex, *cs); }));
  return ok();
}

}  // namespace berth::api
