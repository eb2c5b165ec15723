// Resources -> cgroup v2 files.
#include <string>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v2_manager.hpp"

namespace berth::cgroups {

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

Result<std::optional<int64_t>> swap_to_v2(int64_t swap, std::optional<int64_t> limit) {
  // Unlimited memory with swap unset: unlimited swap too.
  if (limit == -1 && swap == 0) return std::optional<int64_t>(-1);
  if (swap == 0) return std::optional<int64_t>();
  if (swap == -1) return std::optional<int64_t>(-1);
  if (!limit || *limit == 0 || *limit == -1)
    return make_error(ErrorCategory::InvalidArgument, "cannot set a swap limit without a memory limit");
  if (*limit < 0)
    return make_error(ErrorCategory::InvalidArgument, "invalid memory limit " + std::to_string(*limit));
  if (swap < *limit)
    return make_error(ErrorCategory::InvalidArgument,
                      "memory+swap limit must be at least the memory limit");
  return std::optional<int64_t>(swap - *limit);
}

namespace {

std::string max_or(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

Unexpected missing(const std::string& dir, const char* controller) {
  return make_error(ErrorCategory::Unavailable,
                    std::string("the ") + controller + " controller is not enabled for " + dir);
}

Result<> write_required(const std::string& dir, const std::string& file, const char* controller,
                        std::string_view value) {
  if (!has_file(dir, file)) return missing(dir, controller);
  return write_value(dir, file, value);
}

}  // namespace

Result<> apply_v2_memory(const std::string& dir, const Resources::Memory& m) {
  if (m.check_before_update.value_or(false) && m.limit && *m.limit > 0) {
    auto usage = TRY(read_u64(dir, "memory.current"));
    if (usage > static_cast<uint64_t>(*m.limit))
      return make_error(ErrorCategory::Conflict, "memory limit " + std::to_string(*m.limit) +
                                                     " is below the usage " + std::to_string(usage));
  }
  if (m.swap || m.limit == -1) {
    auto swap = TRY(swap_to_v2(m.swap.value_or(0), m.limit));
    if (swap) {
      if (has_file(dir, "memory.swap.max"))
        TRY(write_value(dir, "memory.swap.max", max_or(*swap)));
      else if (*swap > 0)
        return make_error(ErrorCategory::Unavailable, "swap limits are not supported on this host");
    }
  }
  if (m.limit && *m.limit != 0) TRY(write_required(dir, "memory.max", "memory", max_or(*m.limit)));
  if (m.reservation && *m.reservation != 0)
    TRY(write_required(dir, "memory.low", "memory", max_or(*m.reservation)));
  if (m.kernel || m.kernel_tcp) log::warn("ignoring kernel memory limits: not in cgroup v2");
  if (m.swappiness && *m.swappiness != UINT64_MAX)
    log::warn("ignoring memory swappiness: not in cgroup v2");
  if (m.disable_oom_killer.value_or(false))
    log::warn("ignoring disable_oom_killer: not in cgroup v2");
  return ok();
}

namespace {

// cpu.max is "$QUOTA $PERIOD"; a field the request leaves unset keeps its
// current value (OCI's 0 means unset for both).
Result<> set_cpu_max(const std::string& dir, const Resources::Cpu& c) {
  bool quota_set = c.quota && *c.quota != 0;
  bool period_set = c.period && *c.period != 0;
  if (!quota_set && !period_set) return ok();
  if (!has_file(dir, "cpu.max")) return missing(dir, "cpu");
  auto current = split(TRY(read_value(dir, "cpu.max")), ' ');
  std::string quota = quota_set ? max_or(*c.quota) : (current[0].empty() ? "max" : current[0]);
  std::string period = period_set ? std::to_string(*c.period)
                                  : (current.size() > 1 ? current[1] : std::string("100000"));
  return write_value(dir, "cpu.max", quota + " " + period);
}

}  // namespace

Result<> apply_v2_cpu(const std::string& dir, const Resources::Cpu& c) {
  if ((c.realtime_runtime && *c.realtime_runtime != 0) ||
      (c.realtime_period && *c.realtime_period != 0))
    return make_error(ErrorCategory::InvalidArgument,
                      "realtime cpu limits are not supported on cgroup v2");
  if (c.shares && *c.shares != 0)
    TRY(write_required(dir, "cpu.weight", "cpu", std::to_string(cpu_shares_to_weight(*c.shares))));
  TRY(set_cpu_max(dir, c));
  if (c.burst) TRY(write_required(dir, "cpu.max.burst", "cpu", std::to_string(*c.burst)));
  if (c.idle) TRY(write_required(dir, "cpu.idle", "cpu", std::to_string(*c.idle)));
  if (c.cpus && !c.cpus->empty()) TRY(write_required(dir, "cpuset.cpus", "cpuset", *c.cpus));
  if (c.mems && !c.mems->empty()) TRY(write_required(dir, "cpuset.mems", "cpuset", *c.mems));
  return ok();
}

namespace {

std::string dev(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

Result<> set_io_max(const std::string& dir, const char* key, const std::vector<ThrottleDevice>& devs) {
  for (const auto& d : devs)
    TRY(write_required(dir, "io.max", "io",
                       dev(d.major, d.minor) + " " + key + "=" + std::to_string(d.rate)));
  return ok();
}

}  // namespace

Result<> apply_v2_io(const std::string& dir, const Resources::BlockIo& b) {
  // BFQ takes the v1 scale as is; io.weight (the io.cost scale) is converted.
  const bool bfq = has_file(dir, "io.bfq.weight");
  auto weight_value = [&](uint64_t w) {
    return std::to_string(bfq ? w : blkio_weight_to_io_weight(w));
  };
  const std::string weight_file = bfq ? "io.bfq.weight" : "io.weight";
  if (b.weight && *b.weight != 0) TRY(write_required(dir, weight_file, "io", weight_value(*b.weight)));
  for (const auto& d : b.weight_devices) {
    if (d.weight)
      TRY(write_required(dir, weight_file, "io",
                         dev(d.major, d.minor) + " " + weight_value(*d.weight)));
  }
  if (b.leaf_weight && *b.leaf_weight != 0) log::warn("ignoring blkio leaf weight: not in cgroup v2");
  TRY(set_io_max(dir, "rbps", b.throttle_read_bps));
  TRY(set_io_max(dir, "wbps", b.throttle_write_bps));
  TRY(set_io_max(dir, "riops", b.throttle_read_iops));
  TRY(set_io_max(dir, "wiops", b.throttle_write_iops));
  return ok();
}

Result<> apply_v2_hugetlb(const std::string& dir,
                          const std::vector<Resources::HugepageLimit>& limits) {
  for (const auto& l : limits) {
    std::string file = "hugetlb." + l.page_size + ".max";
    if (!has_file(dir, file))
      return make_error(ErrorCategory::InvalidArgument,
                        "hugepage size " + l.page_size + " is not supported (or hugetlb not enabled)");
    TRY(write_value(dir, file, std::to_string(l.limit)));
    std::string rsvd = "hugetlb." + l.page_size + ".rsvd.max";
    if (has_file(dir, rsvd)) TRY(write_value(dir, rsvd, std::to_string(l.limit)));
  }
  return ok();
}

Result<> apply_v2_unified(const std::string& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, value] : files) {
    // A key is a file of this group, never a path.
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        name.find('.') == std::string::npos)
      return make_error(ErrorCategory::InvalidArgument, "unified: invalid key \"" + name + "\"");
    if (name == "cgroup.procs" || name == "cgroup.threads" || name == "cgroup.subtree_control")
      return make_error(ErrorCategory::InvalidArgument, "unified: " + name + " may not be set");
    if (!has_file(dir, name)) {
      auto controller = name.substr(0, name.find('.'));
      return make_error(ErrorCategory::InvalidArgument,
                        "unified: " + name + " does not exist (is the " + controller +
                            " controller enabled?)");
    }
    TRY(write_value(dir, name, value));
  }
  return ok();
}

}  // namespace berth::cgroups
