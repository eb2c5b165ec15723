#include "engine/container_health.hpp"

#include <gtest/gtest.h>

#include "engine/container_store.hpp"

namespace berth::engine {
namespace {

namespace json = boost::json;

Container with_config(const std::string& config) {
  Container c;
  c.config = config;
  return c;
}

HealthResult result(const std::string& start, int code) { return HealthResult{start, start, code, "out"}; }

TEST(Health, ConfigDefaultsAndNone) {
  EXPECT_FALSE(health_config(with_config("{}")));
  EXPECT_FALSE(health_config(with_config(R"({"Healthcheck":{"Test":["NONE"]}})")));
  EXPECT_FALSE(health_config(with_config(R"({"Healthcheck":{"Test":[]}})")));
  auto hc = health_config(with_config(R"({"Healthcheck":{"Test":["CMD-SHELL","true"],"Retries":2,"Interval":1000000}})"));
  ASSERT_TRUE(hc);
  EXPECT_EQ(hc->interval_ns, 1000000);
  EXPECT_EQ(hc->timeout_ns, kHealthDefaultTimeoutNs);
  EXPECT_EQ(hc->retries, 2);
  EXPECT_EQ(*probe_command(*hc, {}), (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(*probe_command(*hc, {"/bin/ash", "-ec"}), (std::vector<std::string>{"/bin/ash", "-ec", "true"}));
  hc->test = {"CMD", "cat", "/x"};
  EXPECT_EQ(*probe_command(*hc, {}), (std::vector<std::string>{"cat", "/x"}));
  hc->test = {"WHAT", "x"};
  EXPECT_FALSE(probe_command(*hc, {}));
}

TEST(Health, ImageCheckMergesUnderTheUsers) {
  auto image = json::parse(R"({"Healthcheck":{"Test":["CMD","img"],"Interval":5,"Retries":7}})").as_object();
  json::object none;
  merge_healthcheck(none, image);
  EXPECT_EQ(json::serialize(none["Healthcheck"]), R"({"Test":["CMD","img"],"Interval":5,"Retries":7})");
  auto user = json::parse(R"({"Healthcheck":{"Interval":9}})").as_object();
  merge_healthcheck(user, image);
  EXPECT_EQ(json::serialize(user["Healthcheck"]), R"({"Interval":9,"Test":["CMD","img"],"Retries":7})");
  auto off = json::parse(R"({"Healthcheck":{"Test":["NONE"]}})").as_object();
  merge_healthcheck(off, image);
  EXPECT_EQ(json::serialize(off["Healthcheck"].as_object()["Test"]), R"(["NONE"])");
}

TEST(Health, CreateChecksAsDockerd) {
  EXPECT_TRUE(check_healthcheck(json::parse(R"({"Healthcheck":{"Interval":1000000}})").as_object()));
  auto r = check_healthcheck(json::parse(R"({"Healthcheck":{"Interval":100000}})").as_object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "Interval in Healthcheck cannot be less than 1ms");
  EXPECT_FALSE(check_healthcheck(json::parse(R"({"Healthcheck":{"Retries":-1}})").as_object()));
}

TEST(Health, StreaksAndStatus) {
  HealthConfig hc;
  hc.retries = 2;
  HealthState h;
  const std::string t0 = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(apply_probe_result(h, result("2026-01-01T00:00:01Z", 1), hc, t0));
  EXPECT_EQ(h.failing_streak, 1);
  EXPECT_EQ(h.status, "starting");
  EXPECT_TRUE(apply_probe_result(h, result("2026-01-01T00:00:02Z", 1), hc, t0));
  EXPECT_EQ(h.status, "unhealthy");
  EXPECT_TRUE(apply_probe_result(h, result("2026-01-01T00:00:03Z", 0), hc, t0));
  EXPECT_EQ(h.status, "healthy");
  EXPECT_EQ(h.failing_streak, 0);
  // A healthy container goes unhealthy only after `retries` failures.
  EXPECT_FALSE(apply_probe_result(h, result("2026-01-01T00:00:04Z", -1), hc, t0));
  EXPECT_EQ(h.status, "healthy");
  for (int i = 0; i < 5; ++i) apply_probe_result(h, result("2026-01-01T00:00:05Z", 0), hc, t0);
  EXPECT_EQ(h.log.size(), kHealthMaxLog);
}

TEST(Health, StartPeriodFailuresDoNotCount) {
  HealthConfig hc;
  hc.retries = 1;
  hc.start_period_ns = 10'000'000'000;
  HealthState h;
  const std::string t0 = "2026-01-01T00:00:00.500Z";
  EXPECT_FALSE(apply_probe_result(h, result("2026-01-01T00:00:09.9Z", 1), hc, t0));
  EXPECT_EQ(h.failing_streak, 0);
  EXPECT_TRUE(apply_probe_result(h, result("2026-01-01T00:00:10.6Z", 1), hc, t0));
  EXPECT_EQ(h.status, "unhealthy");
}

TEST(Health, OutputIsCutAt4096) {
  LimitedOutput out;
  out.add(std::string(4000, 'a'));
  out.add(std::string(96, 'b'));
  EXPECT_EQ(out.text().size(), 4096u);
  out.add("c");
  EXPECT_EQ(out.text(), std::string(4000, 'a') + std::string(96, 'b') + "...");
}

TEST(Health, GoDurations) {
  EXPECT_EQ(go_duration(1'000'000'000), "1s");
  EXPECT_EQ(go_duration(30'000'000'000), "30s");
  EXPECT_EQ(go_duration(1'500'000'000), "1.5s");
  EXPECT_EQ(go_duration(500'000'000), "500ms");
  EXPECT_EQ(go_duration(90'000'000'000), "1m30s");
  EXPECT_EQ(go_duration(3'600'000'000'000), "1h0m0s");
}

TEST(Health, StateRoundTripsThroughTheStore) {
  ContainerState st;
  st.restarting = true;
  st.health = HealthState{"unhealthy", 3, {HealthResult{"a", "b", -1, "timeout"}}};
  auto back = state_from_json(state_to_json(st));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->restarting);
  ASSERT_TRUE(back->health);
  EXPECT_EQ(back->health->status, "unhealthy");
  EXPECT_EQ(back->health->failing_streak, 3);
  ASSERT_EQ(back->health->log.size(), 1u);
  EXPECT_EQ(back->health->log[0].output, "timeout");
  EXPECT_EQ(back->health->log[0].exit_code, -1);
  EXPECT_FALSE(state_from_json(state_to_json(ContainerState{}))->health);
}

}  // namespace
}  // namespace berth::engine
