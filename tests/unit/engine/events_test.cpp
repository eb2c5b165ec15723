#include "engine/events.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace berth::engine {
namespace {

Event ev(std::string type, std::string action, std::string id, int64_t t,
         std::map<std::string, std::string> attrs = {}) {
  return {std::move(type), std::move(action), std::move(id), std::move(attrs), "local", t};
}

Filters filters(std::initializer_list<std::pair<const char*, const char*>> terms) {
  Filters f;
  for (auto [k, v] : terms) f.add(k, v);
  return f;
}

TEST(EventBus, ReplaysHistorySinceThenDeliversLive) {
  EventBus bus(3);
  bus.publish(ev("container", "create", "a", 10));
  bus.publish(ev("container", "start", "a", 20));
  bus.publish(ev("container", "die", "a", 30));
  bus.publish(ev("container", "destroy", "a", 40));  // history keeps the last 3
  int wakes = 0;
  auto sub = bus.subscribe({}, 15, [&] { ++wakes; });
  auto got = sub->take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].action, "start");
  EXPECT_EQ(got[2].action, "destroy");
  bus.publish(ev("image", "tag", "sha256:x", 50));
  EXPECT_EQ(wakes, 1);
  got = sub->take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].action, "tag");
  EXPECT_TRUE(sub->take().empty());
}

TEST(EventBus, WithoutSinceOnlyLiveEvents) {
  EventBus bus;
  bus.publish(ev("container", "create", "a", 10));
  auto sub = bus.subscribe({}, std::nullopt, nullptr);
  EXPECT_TRUE(sub->take().empty());
  bus.publish(ev("container", "start", "a", 0));
  auto got = sub->take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GT(got[0].time_nano, 0);  // publish stamps it
}

TEST(EventBus, DroppingTheSubscriptionUnsubscribes) {
  EventBus bus;
  auto a = bus.subscribe({}, std::nullopt, nullptr);
  auto b = bus.subscribe({}, std::nullopt, nullptr);
  EXPECT_EQ(bus.subscriber_count(), 2u);
  a.reset();
  EXPECT_EQ(bus.subscriber_count(), 1u);
}

TEST(EventBus, SlowSubscribersOverflowInsteadOfGrowing) {
  EventBus bus;
  auto sub = bus.subscribe({}, std::nullopt, nullptr, 2);
  for (int i = 0; i < 5; ++i) bus.publish(ev("container", "start", "a", i + 1));
  EXPECT_TRUE(sub->overflowed());
  EXPECT_EQ(sub->take().size(), 2u);
}

TEST(EventBus, ConcurrentPublishersLoseNothing) {
  EventBus bus(10);
  std::atomic<int> wakes{0};
  auto sub = bus.subscribe({}, std::nullopt, [&] { ++wakes; }, 100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) bus.publish(ev("container", "start", "a", 0));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(sub->take().size(), 4000u);
  EXPECT_EQ(wakes.load(), 4000);
}

TEST(EventFilter, TypeEventAndScope) {
  auto die = ev("container", "die", "abc", 1, {{"name", "web"}, {"image", "busybox:1"}});
  EXPECT_TRUE(event_matches({}, die));
  EXPECT_TRUE(event_matches(filters({{"type", "container"}}), die));
  EXPECT_FALSE(event_matches(filters({{"type", "image"}}), die));
  EXPECT_TRUE(event_matches(filters({{"event", "die"}, {"event", "start"}}), die));
  EXPECT_FALSE(event_matches(filters({{"event", "start"}}), die));
  EXPECT_FALSE(event_matches(filters({{"scope", "swarm"}}), die));
  auto exec = ev("container", "exec_start: sh -c true", "abc", 1);
  EXPECT_TRUE(event_matches(filters({{"event", "exec_start"}}), exec));
}

TEST(EventFilter, NamesIdsImagesAndLabels) {
  auto die = ev("container", "die", "abcdef", 1,
                {{"name", "web"}, {"image", "busybox:1"}, {"com.example", "yes"}});
  EXPECT_TRUE(event_matches(filters({{"container", "web"}}), die));
  EXPECT_TRUE(event_matches(filters({{"container", "abc"}}), die));  // id prefix
  EXPECT_FALSE(event_matches(filters({{"container", "db"}}), die));
  EXPECT_TRUE(event_matches(filters({{"image", "busybox"}}), die));  // tag stripped
  EXPECT_TRUE(event_matches(filters({{"image", "busybox:1"}}), die));
  EXPECT_FALSE(event_matches(filters({{"image", "debian"}}), die));
  EXPECT_TRUE(event_matches(filters({{"label", "com.example"}}), die));
  EXPECT_TRUE(event_matches(filters({{"label", "com.example=yes"}}), die));
  EXPECT_FALSE(event_matches(filters({{"label", "com.example=no"}}), die));
  auto net = ev("network", "create", "n1", 1, {{"name", "front"}});
  EXPECT_FALSE(event_matches(filters({{"container", "web"}}), net));
  EXPECT_TRUE(event_matches(filters({{"network", "front"}}), net));
  auto reg = ev("image", "tag", "sha256:1", 1, {{"name", "127.0.0.1:5000/bb:1"}});
  EXPECT_TRUE(event_matches(filters({{"image", "127.0.0.1:5000/bb"}}), reg));
}

TEST(EventFilter, UnknownKeysAreRejected) {
  EXPECT_TRUE(validate_event_filters(filters({{"type", "container"}, {"label", "a"}})));
  auto bad = validate_event_filters(filters({{"colour", "red"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "invalid filter 'colour'");
}

}  // namespace
}  // namespace berth::engine
