#include "engine/events.hpp"

#include <algorithm>
#include <chrono>

namespace berth::engine {

int64_t now_nanos() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<Event> EventSubscription::take() {
  std::lock_guard lock(mu_);
  std::vector<Event> out(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

bool EventSubscription::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

bool EventSubscription::offer(const Event& event) {
  if (!event_matches(filters_, event)) return false;
  std::lock_guard lock(mu_);
  if (overflowed_) return false;
  if (queue_.size() >= limit_) {
    overflowed_ = true;
    return true;  // wake it so it notices and ends its stream
  }
  queue_.push_back(event);
  return true;
}

void EventBus::publish(Event event) {
  if (event.time_nano == 0) event.time_nano = now_nanos();
  std::vector<std::shared_ptr<EventSubscription>> to_wake;
  {
    std::lock_guard lock(mu_);
    history_.push_back(event);
    if (history_.size() > history_limit_) history_.pop_front();
    std::erase_if(subscribers_, [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : subscribers_) {
      auto sub = weak.lock();
      if (sub && sub->offer(event)) to_wake.push_back(std::move(sub));
    }
  }
  // Outside the lock: a wake callback may take its own locks.
  for (const auto& sub : to_wake)
    if (sub->wake_) sub->wake_();
}

std::shared_ptr<EventSubscription> EventBus::subscribe(Filters filters,
                                                       std::optional<int64_t> since,
                                                       std::function<void()> wake,
                                                       size_t queue_limit) {
  std::shared_ptr<EventSubscription> sub(
      new EventSubscription(std::move(filters), std::move(wake), queue_limit));
  std::lock_guard lock(mu_);
  if (since) {
    for (const auto& event : history_)
      if (event.time_nano >= *since) sub->offer(event);
  }
  subscribers_.push_back(sub);
  return sub;
}

size_t EventBus::subscriber_count() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::count_if(subscribers_.begin(), subscribers_.end(),
                                           [](const auto& weak) { return !weak.expired(); }));
}

}  // namespace berth::engine
