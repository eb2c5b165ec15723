// Stats from cgroup v1 files, in the units and shapes runc reports.
#include <unistd.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v1_manager.hpp"

namespace berth::cgroups {

namespace {

uint64_t u64_or_zero(const std::string& dir, const std::string& name) {
  auto v = read_u64(dir, name);
  return v ? *v : 0;
}

}  // namespace

Result<> read_v1_memory_stats(const std::string& dir, Stats& s) {
  s.memory.raw = parse_flat_keyed(TRY(read_file(dir + "/memory.stat")));
  s.memory.usage = TRY(read_u64(dir, "memory.usage_in_bytes"));
  s.memory.max_usage = u64_or_zero(dir, "memory.max_usage_in_bytes");
  s.memory.limit = u64_or_zero(dir, "memory.limit_in_bytes");
  s.memory.failcnt = u64_or_zero(dir, "memory.failcnt");
  s.memory.cache = s.memory.raw.count("total_cache") ? s.memory.raw["total_cache"]
                                                       : s.memory.raw["cache"];
  // runc reports v1's memsw (memory + swap) as "swap".
  s.memory.swap_usage = u64_or_zero(dir, "memory.memsw.usage_in_bytes");
  s.memory.swap_limit = u64_or_zero(dir, "memory.memsw.limit_in_bytes");
  if (auto oom = read_file(dir + "/memory.oom_control"))
    s.memory.oom_kill = parse_flat_keyed(*oom)["oom_kill"];
  return ok();
}

Result<> read_v1_cpu_stats(const std::string& cpu_dir, const std::string& cpuacct_dir,
                           Stats& s) {
  if (!cpuacct_dir.empty()) {
    s.cpu.total_ns = TRY(read_u64(cpuacct_dir, "cpuacct.usage"));
    for (const auto& f : split(TRY(read_value(cpuacct_dir, "cpuacct.usage_percpu")), ' ')) {
      if (auto v = parse_int<uint64_t>(f)) s.cpu.percpu_ns.push_back(*v);
    }
    if (has_file(cpuacct_dir, "cpuacct.usage_user")) {
      s.cpu.user_ns = u64_or_zero(cpuacct_dir, "cpuacct.usage_user");
      s.cpu.system_ns = u64_or_zero(cpuacct_dir, "cpuacct.usage_sys");
    } else {
      // cpuacct.stat counts USER_HZ ticks.
      auto ticks = parse_flat_keyed(TRY(read_file(cpuacct_dir + "/cpuacct.stat")));
      const uint64_t ns_per_tick = 1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
      s.cpu.user_ns = ticks["user"] * ns_per_tick;
      s.cpu.system_ns = ticks["system"] * ns_per_tick;
    }
  }
  if (!cpu_dir.empty()) {
    auto stat = parse_flat_keyed(TRY(read_file(cpu_dir + "/cpu.stat")));
    s.cpu.periods = stat["nr_periods"];
    s.cpu.throttled_periods = stat["nr_throttled"];
    s.cpu.throttled_time_ns = stat["throttled_time"];
  }
  return ok();
}

namespace {

// "8:0 Read 4096" lines (and a "Total N" line, skipped).
std::vector<Stats::BlkioEntry> parse_blkio(std::string_view text) {
  std::vector<Stats::BlkioEntry> out;
  for (const auto& line : split(text, '\n')) {
    auto f = split(trim(line), ' ');
    if (f.size() != 3) continue;
    auto [maj, min, found] = split_once(f[0], ':');
    auto major = parse_int<int64_t>(maj);
    auto minor = parse_int<int64_t>(min);
    auto value = parse_int<uint64_t>(f[2]);
    if (!found || !major || !minor || !value) continue;
    out.push_back({*major, *minor, f[1], *value});
  }
  return out;
}

}  // namespace

Result<> read_v1_blkio_stats(const std::string& dir, Stats& s) {
  // CFQ, then BFQ, then the throttle layer (always there) — as runc picks.
  for (const char* prefix : {"blkio.", "blkio.bfq.", "blkio.throttle."}) {
    std::string bytes = std::string(prefix) + "io_service_bytes_recursive";
    if (!has_file(dir, bytes)) continue;
    s.blkio_bytes = parse_blkio(TRY(read_file(dir + "/" + bytes)));
    s.blkio_ios = parse_blkio(TRY(read_file(dir + "/" + prefix + "io_serviced_recursive")));
    if (!s.blkio_bytes.empty() || std::string(prefix) == "blkio.throttle.") return ok();
  }
  return ok();
}

Result<> read_v1_hugetlb_stats(const std::string& dir, Stats& s) {
  for (const auto& size : hugepage_sizes(dir, ".usage_in_bytes"))
    s.hugetlb_usage[size] = TRY(read_u64(dir, "hugetlb." + size + ".usage_in_bytes"));
  return ok();
}

Result<Stats> V1Manager::stats() {
  Stats s;
  if (auto dir = path_of("memory"); !dir.empty()) TRY_CTX(read_v1_memory_stats(dir, s), "memory stats");
  TRY_CTX(read_v1_cpu_stats(path_of("cpu"), path_of("cpuacct"), s), "cpu stats");
  if (auto dir = path_of("pids"); !dir.empty()) {
    s.pids.current = TRY(read_u64(dir, "pids.current"));
    auto limit = TRY(read_u64(dir, "pids.max"));
    s.pids.limit = limit == UINT64_MAX ? 0 : limit;
  }
  if (auto dir = path_of("blkio"); !dir.empty()) TRY_CTX(read_v1_blkio_stats(dir, s), "blkio stats");
  if (auto dir = path_of("hugetlb"); !dir.empty())
    TRY_CTX(read_v1_hugetlb_stats(dir, s), "hugetlb stats");
  return s;
}

}  // namespace berth::cgroups
