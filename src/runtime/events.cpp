// stats and events: cgroup statistics in runc's `events` JSON shape.
#include <unistd.h>

#include <thread>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "oci/json.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {
namespace {

namespace json = oci::json;

json::value stats_json(const cgroups::Stats& s) {
  json::array percpu;
  for (auto v : s.cpu.percpu_ns) percpu.push_back(v);
  json::object cpu{{"usage", json::object{{"total", s.cpu.total_ns}, {"percpu", percpu},
                                          {"kernel", s.cpu.system_ns}, {"user", s.cpu.user_ns}}},
                   {"throttling", json::object{{"periods", s.cpu.periods},
                                               {"throttledPeriods", s.cpu.throttled_periods},
                                               {"throttledTime", s.cpu.throttled_time_ns}}}};
  json::object raw;
  for (const auto& [k, v] : s.memory.raw) raw[k] = v;
  json::object memory{{"cache", s.memory.cache},
                      {"usage", json::object{{"limit", s.memory.limit}, {"usage", s.memory.usage},
                                             {"max", s.memory.max_usage}, {"failcnt", s.memory.failcnt}}},
                      {"swap", json::object{{"usage", s.memory.swap_usage}}},
                      {"raw", raw}};
  auto blkio = [](const std::vector<cgroups::Stats::BlkioEntry>& list) {
    json::array a;
    for (const auto& e : list)
      a.push_back(json::object{{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
    return a;
  };
  json::object hugetlb;
  for (const auto& [size, usage] : s.hugetlb_usage) hugetlb[size] = json::object{{"usage", usage}};
  return json::object{{"cpu", cpu},
                      {"memory", memory},
                      {"pids", json::object{{"current", s.pids.current}, {"limit", s.pids.limit}}},
                      {"blkio", json::object{{"ioServiceBytesRecursive", blkio(s.blkio_bytes)},
                                             {"ioServicedRecursive", blkio(s.blkio_ios)}}},
                      {"hugetlb", hugetlb}};
}

}  // namespace

Result<cgroups::Stats> stats(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  auto manager = TRY(record_manager(record));
  if (!manager) return make_error(ErrorCategory::Unavailable, "container " + id + " has no cgroup");
  return manager->stats();
}

namespace {

// The kernel's OOM-kill counter for the container's memory cgroup: v2's
// memory.events or v1's memory.oom_control, both "oom_kill N".
uint64_t oom_kills(const Record& record) {
  auto it = record.cgroup_paths.find("memory");
  std::string file = it != record.cgroup_paths.end() ? it->second + "/memory.oom_control" : "";
  if (file.empty()) {
    it = record.cgroup_paths.find("");
    if (it == record.cgroup_paths.end()) return 0;
    file = it->second + "/memory.events";
  }
  auto text = read_file(file);
  if (!text) return 0;
  for (const auto& line : split(*text, '\n'))
    if (line.starts_with("oom_kill ")) return parse_int<uint64_t>(line.substr(9)).value_or(0);
  return 0;
}

}  // namespace

Result<> events(const Context& ctx, const std::string& id, std::chrono::milliseconds interval, bool once,
                const std::function<void(const std::string&)>& emit) {
  auto record = TRY(load_record(ctx, id));
  uint64_t ooms = oom_kills(record);
  // OOM kills are reported within a tick; stats every `interval`.
  const auto tick = std::min<std::chrono::milliseconds>(interval, std::chrono::milliseconds(250));
  auto next_stats = std::chrono::steady_clock::now();
  for (;;) {
    if (status(ctx, record) == oci::Status::Stopped)
      return make_error(ErrorCategory::Conflict, "container with id " + id + " is not running");
    if (uint64_t now = oom_kills(record); now > ooms) {
      ooms = now;
      emit(oci::to_json(json::object{{"type", "oom"}, {"id", id}}));
    }
    if (std::chrono::steady_clock::now() >= next_stats) {
      auto s = TRY(stats(ctx, id));
      emit(oci::to_json(json::object{{"type", "stats"}, {"id", id}, {"data", stats_json(s)}}));
      if (once) return ok();
      next_stats += interval;
    }
    std::this_thread::sleep_for(tick);
  }
}

}  // namespace berth::runtime
