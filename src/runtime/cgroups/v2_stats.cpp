// Stats from cgroup v2 files, in the shapes runc reports.
#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v2_manager.hpp"

namespace berth::cgroups {

namespace {

uint64_t u64_or_zero(const std::string& dir, const std::string& name) {
  auto v = read_u64(dir, name);
  return v ? *v : 0;
}

std::map<std::string, uint64_t> keyed_or_empty(const std::string& dir, const std::string& name) {
  auto text = read_file(dir + "/" + name);
  return text ? parse_flat_keyed(*text) : std::map<std::string, uint64_t>{};
}

// Each controller's files exist only where it is enabled, so a missing
// file is "no data", not an error.
void read_memory(const std::string& dir, Stats& s) {
  if (!has_file(dir, "memory.current")) return;
  s.memory.raw = keyed_or_empty(dir, "memory.stat");
  s.memory.usage = u64_or_zero(dir, "memory.current");
  s.memory.max_usage = u64_or_zero(dir, "memory.peak");
  s.memory.limit = u64_or_zero(dir, "memory.max");
  s.memory.cache = s.memory.raw["file"];
  s.memory.swap_usage = u64_or_zero(dir, "memory.swap.current");
  s.memory.swap_limit = u64_or_zero(dir, "memory.swap.max");
  auto events = keyed_or_empty(dir, "memory.events");
  s.memory.failcnt = events["max"];
  s.memory.oom_kill = events["oom_kill"];
}

// cpu.stat is there without the cpu controller (usage only).
void read_cpu(const std::string& dir, Stats& s) {
  auto stat = keyed_or_empty(dir, "cpu.stat");
  s.cpu.total_ns = stat["usage_usec"] * 1000;
  s.cpu.user_ns = stat["user_usec"] * 1000;
  s.cpu.system_ns = stat["system_usec"] * 1000;
  s.cpu.periods = stat["nr_periods"];
  s.cpu.throttled_periods = stat["nr_throttled"];
  s.cpu.throttled_time_ns = stat["throttled_usec"] * 1000;
}

void read_io(const std::string& dir, Stats& s) {
  auto text = read_file(dir + "/io.stat");
  if (!text) return;
  for (const auto& entry : parse_nested_keyed(*text)) {
    auto [maj, min, found] = split_once(entry.key, ':');
    auto major = parse_int<int64_t>(maj);
    auto minor = parse_int<int64_t>(min);
    if (!found || !major || !minor) continue;
    auto get = [&](const char* k) {
      auto it = entry.values.find(k);
      return it == entry.values.end() ? 0 : it->second;
    };
    s.blkio_bytes.push_back({*major, *minor, "Read", get("rbytes")});
    s.blkio_bytes.push_back({*major, *minor, "Write", get("wbytes")});
    s.blkio_ios.push_back({*major, *minor, "Read", get("rios")});
    s.blkio_ios.push_back({*major, *minor, "Write", get("wios")});
  }
}

}  // namespace

Result<Stats> read_v2_stats(const std::string& dir) {
  // The group itself must exist; everything else is optional.
  if (!has_file(dir, "cgroup.procs"))
    return make_error(ErrorCategory::NotFound, "cgroup " + dir + " does not exist");
  Stats s;
  read_memory(dir, s);
  read_cpu(dir, s);
  if (has_file(dir, "pids.current")) {
    s.pids.current = u64_or_zero(dir, "pids.current");
    auto limit = u64_or_zero(dir, "pids.max");
    s.pids.limit = limit == UINT64_MAX ? 0 : limit;
  }
  read_io(dir, s);
  for (const auto& size : hugepage_sizes(dir, ".current"))
    s.hugetlb_usage[size] = u64_or_zero(dir, "hugetlb." + size + ".current");
  return s;
}

}  // namespace berth::cgroups
