#include "api/stats_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace berth::api {
namespace {

engine::StatsSample sample(uint64_t cpu, uint64_t system) {
  engine::StatsSample s;
  s.read = "2026-01-01T00:00:01.000000000Z";
  s.cgroup.cpu.total_ns = cpu;
  s.cgroup.cpu.percpu_ns = {cpu / 2, cpu / 2};
  s.cgroup.memory.usage = 4096;
  s.cgroup.memory.limit = 1ull << 62;  // v1's "unlimited"
  s.cgroup.memory.raw = {{"total_inactive_file", 1024}};
  s.cgroup.pids.current = 3;
  s.system_cpu_ns = system;
  s.online_cpus = 2;
  s.host_memory = 1ull << 33;
  return s;
}

TEST(StatsJson, HasWhatTheCliComputesWith) {
  auto v = stats_json(sample(2000, 90000), sample(1000, 80000), "web", "abc");
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("name").as_string(), "/web");
  EXPECT_EQ(o.at("cpu_stats").at("cpu_usage").at("total_usage").to_number<uint64_t>(), 2000u);
  EXPECT_EQ(o.at("precpu_stats").at("cpu_usage").at("total_usage").to_number<uint64_t>(), 1000u);
  EXPECT_EQ(o.at("cpu_stats").at("system_cpu_usage").to_number<uint64_t>(), 90000u);
  EXPECT_EQ(o.at("cpu_stats").at("online_cpus").to_number<uint32_t>(), 2u);
  EXPECT_EQ(o.at("cpu_stats").at("cpu_usage").at("percpu_usage").as_array().size(), 2u);
  // An unlimited cgroup shows the host's memory, as dockerd does.
  EXPECT_EQ(o.at("memory_stats").at("limit").to_number<uint64_t>(), 1ull << 33);
  EXPECT_EQ(o.at("memory_stats").at("stats").at("total_inactive_file").to_number<uint64_t>(), 1024u);
  EXPECT_EQ(o.at("pids_stats").at("current").to_number<uint64_t>(), 3u);
  EXPECT_FALSE(o.at("pids_stats").as_object().contains("limit"));
  EXPECT_TRUE(o.at("blkio_stats").at("io_service_bytes_recursive").is_null());
}

TEST(StatsJson, StoppedContainerIsZeroed) {
  engine::StatsSample none;
  none.read = engine::kZeroTime;
  auto v = stats_json(none, none, "web", "abc");
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("read").as_string(), engine::kZeroTime);
  EXPECT_TRUE(o.at("memory_stats").as_object().empty());
  EXPECT_FALSE(o.at("cpu_stats").as_object().contains("system_cpu_usage"));
}

}  // namespace
}  // namespace berth::api
