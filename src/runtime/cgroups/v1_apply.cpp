// Resources -> cgroup v1 files. Write order follows what the kernel
// accepts during a live update (see the comments at each ordering).
#include <string>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/devices.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v1_manager.hpp"

namespace berth::cgroups {

namespace {

Unexpected not_mounted(std::string_view controller) {
  return make_error(ErrorCategory::Unavailable,
                    "the " + std::string(controller) + " cgroup controller is not mounted");
}

Result<> set_limit_and_swap(const std::string& dir, const Resources::Memory& m) {
  const char* kLimit = "memory.limit_in_bytes";
  const char* kSwap = "memory.memsw.limit_in_bytes";
  std::optional<int64_t> swap = m.swap;
  bool has_memsw = has_file(dir, kSwap);
  // Unlimited memory with swap unset means unlimited swap too, else the
  // old memsw limit would still cap the group.
  if (m.limit == -1 && (!swap || *swap == 0) && has_memsw) swap = -1;
  if (swap && *swap != 0 && *swap != -1 && !has_memsw)
    return make_error(ErrorCategory::Unavailable,
                      "memory swap limit: swap accounting (memsw) is not enabled in this kernel");
  if (!has_memsw) swap.reset();
  if (swap && *swap == 0) swap.reset();
  if (m.limit && swap) {
    // The kernel insists on limit <= memsw at every moment, so raise memsw
    // first when growing and lower the limit first when shrinking.
    auto current = TRY(read_u64(dir, kLimit));
    bool swap_first = *swap == -1 || current < static_cast<uint64_t>(*swap);
    if (swap_first) TRY(write_value(dir, kSwap, std::to_string(*swap)));
    TRY(write_value(dir, kLimit, std::to_string(*m.limit)));
    if (!swap_first) TRY(write_value(dir, kSwap, std::to_string(*swap)));
    return ok();
  }
  if (m.limit) TRY(write_value(dir, kLimit, std::to_string(*m.limit)));
  if (swap) TRY(write_value(dir, kSwap, std::to_string(*swap)));
  return ok();
}

// Kernel memory accounting knobs are deprecated (writes fail on recent
// kernels); runc ignores them too, so a failure is a warning.
void set_deprecated(const std::string& dir, const char* name, std::optional<int64_t> value) {
  if (!value) return;
  if (auto r = write_value(dir, name, std::to_string(*value)); !r)
    log::warn("ignoring deprecated memory setting", {{"file", name}, {"error", r.error()}});
}

}  // namespace

Result<> apply_v1_memory(const std::string& dir, const Resources::Memory& m) {
  if (dir.empty()) return not_mounted("memory");
  if (m.check_before_update.value_or(false) && m.limit && *m.limit > 0) {
    auto usage = TRY(read_u64(dir, "memory.usage_in_bytes"));
    if (usage > static_cast<uint64_t>(*m.limit))
      return make_error(ErrorCategory::Conflict,
                        "memory limit " + std::to_string(*m.limit) + " is below the usage " +
                            std::to_string(usage));
  }
  TRY(set_limit_and_swap(dir, m));
  if (m.reservation) TRY(write_value(dir, "memory.soft_limit_in_bytes", std::to_string(*m.reservation)));
  set_deprecated(dir, "memory.kmem.limit_in_bytes", m.kernel);
  set_deprecated(dir, "memory.kmem.tcp.limit_in_bytes", m.kernel_tcp);
  // runc sends -1 (as unsigned) for "leave the swappiness alone".
  if (m.swappiness && *m.swappiness != UINT64_MAX) {
    if (*m.swappiness > 100)
      return make_error(ErrorCategory::InvalidArgument,
                        "memory swappiness " + std::to_string(*m.swappiness) + " is not 0-100");
    TRY(write_value(dir, "memory.swappiness", std::to_string(*m.swappiness)));
  }
  if (m.disable_oom_killer)
    TRY(write_value(dir, "memory.oom_control", *m.disable_oom_killer ? "1" : "0"));
  if (m.use_hierarchy) {
    // Recent kernels are always hierarchical and refuse 0.
    if (auto r = write_value(dir, "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0"); !r)
      log::warn("ignoring memory.use_hierarchy", {{"error", r.error()}});
  }
  return ok();
}

namespace {

Result<> set_quota_period(const std::string& dir, const Resources::Cpu& c) {
  std::string pending_period;
  if (c.period && *c.period != 0) {
    auto r = write_value(dir, "cpu.cfs_period_us", std::to_string(*c.period));
    // A shorter period can be refused (EINVAL) while the old quota would
    // exceed the parent's bandwidth; retry it after the quota when one comes.
    if (!r) {
      if (r.error().sys_errno() != EINVAL || !c.quota) return r;
      pending_period = std::to_string(*c.period);
    }
  }
  if (c.quota && *c.quota != 0) {
    TRY(write_value(dir, "cpu.cfs_quota_us", std::to_string(*c.quota)));
    if (!pending_period.empty()) TRY(write_value(dir, "cpu.cfs_period_us", pending_period));
  }
  return ok();
}

Result<> set_shares(const std::string& dir, uint64_t shares) {
  TRY(write_value(dir, "cpu.shares", std::to_string(shares)));
  // The kernel clamps silently; say so, as runc does.
  auto got = TRY(read_u64(dir, "cpu.shares"));
  if (got < shares)
    return make_error(ErrorCategory::InvalidArgument,
                      "the maximum allowed cpu-shares is " + std::to_string(got));
  if (got > shares)
    return make_error(ErrorCategory::InvalidArgument,
                      "the minimum allowed cpu-shares is " + std::to_string(got));
  return ok();
}

}  // namespace

Result<> apply_v1_cpu(const std::string& cpu_dir, const std::string& cpuset_dir,
                      const Resources::Cpu& c) {
  bool wants_cpu = (c.shares && *c.shares) || c.quota || c.period || c.burst ||
                   c.realtime_runtime || c.realtime_period || c.idle;
  if (wants_cpu && cpu_dir.empty()) return not_mounted("cpu");
  if (c.shares && *c.shares != 0) TRY(set_shares(cpu_dir, *c.shares));
  TRY(set_quota_period(cpu_dir, c));
  if (c.burst) {
    if (!has_file(cpu_dir, "cpu.cfs_burst_us") && *c.burst != 0)
      return make_error(ErrorCategory::Unavailable, "cpu burst is not supported by this kernel");
    if (has_file(cpu_dir, "cpu.cfs_burst_us"))
      TRY(write_value(cpu_dir, "cpu.cfs_burst_us", std::to_string(*c.burst)));
  }
  // The period bounds the runtime, so it goes first.
  if (c.realtime_period && *c.realtime_period != 0)
    TRY(write_value(cpu_dir, "cpu.rt_period_us", std::to_string(*c.realtime_period)));
  if (c.realtime_runtime && *c.realtime_runtime != 0)
    TRY(write_value(cpu_dir, "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime)));
  if (c.idle) TRY(write_value(cpu_dir, "cpu.idle", std::to_string(*c.idle)));
  if ((c.cpus && !c.cpus->empty()) || (c.mems && !c.mems->empty())) {
    if (cpuset_dir.empty()) return not_mounted("cpuset");
    if (c.cpus && !c.cpus->empty()) TRY(write_value(cpuset_dir, "cpuset.cpus", *c.cpus));
    if (c.mems && !c.mems->empty()) TRY(write_value(cpuset_dir, "cpuset.mems", *c.mems));
  }
  return ok();
}

Result<> apply_v1_pids(const std::string& dir, int64_t limit) {
  if (dir.empty()) return limit > 0 ? not_mounted("pids") : ok();
  return write_value(dir, "pids.max", limit > 0 ? std::to_string(limit) : "max");
}

namespace {

std::string dev(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

Result<> set_throttles(const std::string& dir, const char* file,
                       const std::vector<ThrottleDevice>& devices) {
  for (const auto& d : devices)
    TRY(write_value(dir, file, dev(d.major, d.minor) + " " + std::to_string(d.rate)));
  return ok();
}

}  // namespace

Result<> apply_v1_blkio(const std::string& dir, const Resources::BlockIo& b) {
  if (dir.empty()) return not_mounted("blkio");
  // CFQ kernels have blkio.weight; BFQ ones blkio.bfq.weight.
  const bool cfq = has_file(dir, "blkio.weight");
  const std::string weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const std::string weight_device = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (b.weight && *b.weight != 0) TRY(write_value(dir, weight, std::to_string(*b.weight)));
  if (b.leaf_weight && *b.leaf_weight != 0) {
    if (!has_file(dir, "blkio.leaf_weight"))
      log::warn("ignoring blkio leaf weight: not supported by this kernel");
    else
      TRY(write_value(dir, "blkio.leaf_weight", std::to_string(*b.leaf_weight)));
  }
  for (const auto& d : b.weight_devices) {
    if (d.weight) TRY(write_value(dir, weight_device, dev(d.major, d.minor) + " " +
                                                          std::to_string(*d.weight)));
    if (d.leaf_weight && has_file(dir, "blkio.leaf_weight_device"))
      TRY(write_value(dir, "blkio.leaf_weight_device",
                      dev(d.major, d.minor) + " " + std::to_string(*d.leaf_weight)));
  }
  TRY(set_throttles(dir, "blkio.throttle.read_bps_device", b.throttle_read_bps));
  TRY(set_throttles(dir, "blkio.throttle.write_bps_device", b.throttle_write_bps));
  TRY(set_throttles(dir, "blkio.throttle.read_iops_device", b.throttle_read_iops));
  TRY(set_throttles(dir, "blkio.throttle.write_iops_device", b.throttle_write_iops));
  return ok();
}

Result<> apply_v1_hugetlb(const std::string& dir,
                          const std::vector<Resources::HugepageLimit>& limits) {
  if (limits.empty()) return ok();
  if (dir.empty()) return not_mounted("hugetlb");
  for (const auto& l : limits) {
    std::string file = "hugetlb." + l.page_size + ".limit_in_bytes";
    if (!has_file(dir, file))
      return make_error(ErrorCategory::InvalidArgument,
                        "hugepage size " + l.page_size + " is not supported");
    TRY(write_value(dir, file, std::to_string(l.limit)));
    // Reservations count too where the kernel tracks them separately.
    std::string rsvd = "hugetlb." + l.page_size + ".rsvd.limit_in_bytes";
    if (has_file(dir, rsvd)) TRY(write_value(dir, rsvd, std::to_string(l.limit)));
  }
  return ok();
}

Result<> apply_v1_devices(const std::string& dir, const std::vector<DeviceRule>& rules) {
  if (rules.empty()) return ok();
  if (dir.empty()) return not_mounted("devices");
  auto normal = TRY(normalize_rules(rules));
  // A list is read from "deny all" (as runc does), so start there unless
  // the list itself begins by setting the default.
  if (normal.empty() || !normal.front().reset) TRY(write_value(dir, "devices.deny", "a"));
  for (const auto& rule : normal)
    TRY(write_value(dir, rule.allow ? "devices.allow" : "devices.deny", v1_rule_line(rule)));
  return ok();
}

Result<> apply_v1_network(const std::string& cls_dir, const std::string& prio_dir,
                          const Resources::Network& n) {
  if (n.class_id) {
    if (cls_dir.empty()) return not_mounted("net_cls");
    TRY(write_value(cls_dir, "net_cls.classid", std::to_string(*n.class_id)));
  }
  if (!n.priorities.empty() && prio_dir.empty()) return not_mounted("net_prio");
  for (const auto& [iface, prio] : n.priorities)
    TRY(write_value(prio_dir, "net_prio.ifpriomap", iface + " " + std::to_string(prio)));
  return ok();
}

}  // namespace berth::cgroups
