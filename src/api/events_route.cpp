// GET /events: recent history from `since`, then live events, until
// `until` passes or the client leaves. One JSON object per line.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <chrono>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/filters_json.hpp"
#include "api/notifier.hpp"
#include "api/system_json.hpp"
#include "base/strings.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;

Result<std::optional<int64_t>> optional_timestamp(const Query& q, std::string_view key) {
  auto v = q.get(key);
  if (!v || v->empty()) return std::optional<int64_t>();
  auto t = TRY_CTX(parse_timestamp(*v), std::string(key));
  return std::optional<int64_t>(t);
}

// Waits until `until` (Unix nanoseconds) on the wall clock.
Task<void> sleep_until(int64_t until) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  int64_t left = until - engine::now_nanos();
  timer.expires_after(std::chrono::nanoseconds(std::max<int64_t>(left, 0)));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

struct EventQuery {
  engine::Filters filters;
  std::optional<int64_t> since, until;
};

Result<EventQuery> parse_event_query(const Query& q) {
  EventQuery eq;
  eq.filters = TRY(query_filters(q));
  TRY(engine::validate_event_filters(eq.filters));
  eq.since = TRY(optional_timestamp(q, "since"));
  eq.until = TRY(optional_timestamp(q, "until"));
  if (eq.since && eq.until && *eq.since > *eq.until)
    return make_error(ErrorCategory::InvalidArgument,
                      "`since` time (" + q.get_or("since", "") + ") cannot be after `until` time (" +
                          q.get_or("until", "") + ")");
  return eq;
}

Task<Result<>> events(Exchange& ex, engine::EventBus& bus) {
  auto eq = parse_event_query(ex.query());
  if (!eq) co_return tl::unexpected(eq.error());
  auto notifier = Notifier::create(co_await asio::this_coro::executor);
  auto subscription = bus.subscribe(eq->filters, eq->since, [weak = std::weak_ptr(notifier)] {
    if (auto n = weak.lock()) n->wake();
  });
  auto started = co_await ex.begin_stream(http::status::ok, "application/json");
  if (!started) co_return started;
  for (;;) {
    for (const auto& event : subscription->take()) {
      if (eq->until && event.time_nano > *eq->until) co_return ok();
      auto sent = co_await ex.write(boost::json::serialize(event_json(event)) + "\n");
      if (!sent) co_return sent;
    }
    if (subscription->overflowed())
      co_return make_error(ErrorCategory::Unavailable, "events subscriber fell behind");
    if (eq->until && engine::now_nanos() >= *eq->until) co_return ok();
    if (eq->until) {
      auto which = co_await (notifier->wait() || ex.peer_closed() || sleep_until(*eq->until));
      if (which.index() == 1) co_return ok();
    } else {
      auto which = co_await (notifier->wait() || ex.peer_closed());
      if (which.index() == 1) co_return ok();
    }
  }
}

}  // namespace

Result<int64_t> parse_timestamp(std::string_view value) {
  auto [secs, frac, has_frac] = split_once(value, '.');
  auto s = TRY_CTX(parse_int<int64_t>(secs), "invalid timestamp");
  int64_t nanos = 0;
  if (has_frac) {
    bool digits = std::all_of(frac.begin(), frac.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (frac.empty() || frac.size() > 9 || !digits)
      return make_error(ErrorCategory::InvalidArgument, "invalid timestamp \"" + std::string(value) + "\"");
    std::string padded(frac);
    padded.resize(9, '0');
    nanos = TRY_CTX(parse_int<int64_t>(padded), "invalid timestamp");
  }
  if (s < -9223372035LL || s > 9223372035LL)
    return make_error(ErrorCategory::InvalidArgument, "timestamp out of range");
  return s * 1000000000 + (s < 0 ? -nanos : nanos);
}

Result<> add_event_routes(Router& router, const Services& services) {
  if (!services.events) return ok();
  auto* bus = services.events;
  return router.add("GET", "/events", [bus](Exchange& ex) { return events(ex, *bus); });
}

}  // namespace berth::api
