#include "api/stats_json.hpp"

#include <boost/json.hpp>

namespace berth::api {
namespace json = boost::json;
namespace {

json::object cpu_json(const engine::StatsSample& s) {
  const auto& c = s.cgroup.cpu;
  json::object usage{{"total_usage", c.total_ns},
                     {"usage_in_kernelmode", c.system_ns},
                     {"usage_in_usermode", c.user_ns}};
  if (!c.percpu_ns.empty()) {
    json::array per;
    for (auto v : c.percpu_ns) per.push_back(v);
    usage["percpu_usage"] = std::move(per);
  }
  json::object out{{"cpu_usage", std::move(usage)},
                   {"throttling_data", json::object{{"periods", c.periods},
                                                    {"throttled_periods", c.throttled_periods},
                                                    {"throttled_time", c.throttled_time_ns}}}};
  // A sample that was never taken (precpu of a stream's first object)
  // carries no system numbers, as in dockerd.
  if (s.system_cpu_ns) {
    out["system_cpu_usage"] = s.system_cpu_ns;
    out["online_cpus"] = s.online_cpus;
  }
  return out;
}

json::value blkio_list(const std::vector<cgroups::Stats::BlkioEntry>& entries) {
  if (entries.empty()) return nullptr;
  json::array out;
  for (const auto& e : entries)
    out.push_back(json::object{{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
  return out;
}

json::object memory_json(const engine::StatsSample& s) {
  const auto& m = s.cgroup.memory;
  if (s.read.empty() || s.system_cpu_ns == 0) return {};
  json::object stats;
  for (const auto& [k, v] : m.raw) stats[k] = v;
  uint64_t limit = m.limit;
  if (limit == 0 || (s.host_memory && limit > s.host_memory)) limit = s.host_memory;
  json::object out{{"usage", m.usage}, {"stats", std::move(stats)}, {"limit", limit}};
  if (m.max_usage) out["max_usage"] = m.max_usage;
  if (m.failcnt) out["failcnt"] = m.failcnt;
  return out;
}

}  // namespace

json::value stats_json(const engine::StatsSample& now, const engine::StatsSample& pre, const std::string& name,
                       const std::string& id) {
  json::object pids{{"current", now.cgroup.pids.current}};
  if (now.cgroup.pids.limit) pids["limit"] = now.cgroup.pids.limit;
  json::object blkio{{"io_service_bytes_recursive", blkio_list(now.cgroup.blkio_bytes)},
                     {"io_serviced_recursive", blkio_list(now.cgroup.blkio_ios)},
                     {"io_queue_recursive", nullptr},
                     {"io_service_time_recursive", nullptr},
                     {"io_wait_time_recursive", nullptr},
                     {"io_merged_recursive", nullptr},
                     {"io_time_recursive", nullptr},
                     {"sectors_recursive", nullptr}};
  return json::object{{"name", "/" + name},
                      {"id", id},
                      {"read", now.read},
                      {"preread", pre.read},
                      {"pids_stats", std::move(pids)},
                      {"blkio_stats", std::move(blkio)},
                      {"num_procs", 0},
                      {"storage_stats", json::object()},
                      {"cpu_stats", cpu_json(now)},
                      {"precpu_stats", cpu_json(pre)},
                      {"memory_stats", memory_json(now)}};
}

}  // namespace berth::api
