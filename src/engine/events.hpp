// The daemon's event bus: every service publishes what happened (container
// start, image tag, daemon reload, ...); `GET /events` subscribers receive
// the recent history they ask for (`since`) and then live events, in order,
// without gaps or duplicates.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/filters.hpp"

namespace berth::engine {

struct Event {
  std::string type;    // container, image, network, volume, daemon, ...
  std::string action;  // create, start, die, tag, reload, exec_start: sh, ...
  std::string actor_id;
  std::map<std::string, std::string> attributes;  // name, image, exitCode, labels, ...
  std::string scope = "local";
  int64_t time_nano = 0;  // set by publish() when 0
};

// Docker's event filter semantics (type, event, container, image, label,
// network, volume, daemon, scope, ...).
bool event_matches(const Filters& filters, const Event& event);
// InvalidArgument for a filter key that /events does not know.
Result<> validate_event_filters(const Filters& filters);

int64_t now_nanos();

class EventSubscription {
 public:
  // Moves out everything queued so far, oldest first.
  std::vector<Event> take();
  // True when the subscriber fell so far behind that events were dropped;
  // the stream should end rather than silently skip events.
  bool overflowed() const;

 private:
  friend class EventBus;
  EventSubscription(Filters filters, std::function<void()> wake, size_t limit)
      : filters_(std::move(filters)), wake_(std::move(wake)), limit_(limit) {}
  // Returns true when the subscriber must be woken.
  bool offer(const Event& event);

  Filters filters_;
  std::function<void()> wake_;
  size_t limit_;
  mutable std::mutex mu_;
  std::deque<Event> queue_;
  bool overflowed_ = false;
};

class EventBus {
 public:
  explicit EventBus(size_t history_limit = 256) : history_limit_(history_limit) {}

  void publish(Event event);

  // Queues the recorded events at or after `since` (none when unset) that
  // match `filters`, then every matching live event. `wake` is called (from
  // the publishing thread, must not block) whenever events were queued.
  // Dropping the returned pointer unsubscribes.
  std::shared_ptr<EventSubscription> subscribe(Filters filters, std::optional<int64_t> since,
                                               std::function<void()> wake,
                                               size_t queue_limit = 4096);

  size_t subscriber_count() const;

 private:
  size_t history_limit_;
  mutable std::mutex mu_;
  std::deque<Event> history_;
  std::vector<std::weak_ptr<EventSubscription>> subscribers_;
};

}  // namespace berth::engine
