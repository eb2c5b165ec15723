#include "runtime/resources.hpp"

namespace berth::runtime {

cgroups::Resources to_cgroup_resources(const oci::Resources& r) {
  cgroups::Resources out;
  if (r.memory) {
    const auto& m = *r.memory;
    out.memory = cgroups::Resources::Memory{m.limit, m.reservation, m.swap, m.kernel, m.kernel_tcp,
                                            m.swappiness, m.disable_oom_killer, m.use_hierarchy,
                                            m.check_before_update};
  }
  if (r.cpu) {
    const auto& c = *r.cpu;
    cgroups::Resources::Cpu cpu;
    cpu.shares = c.shares;
    cpu.quota = c.quota;
    cpu.period = c.period;
    cpu.burst = c.burst;
    cpu.realtime_runtime = c.realtime_runtime;
    cpu.realtime_period = c.realtime_period;
    if (!c.cpus.empty()) cpu.cpus = c.cpus;
    if (!c.mems.empty()) cpu.mems = c.mems;
    cpu.idle = c.idle;
    out.cpu = cpu;
  }
  out.pids_limit = r.pids_limit;
  if (r.block_io) {
    const auto& b = *r.block_io;
    cgroups::Resources::BlockIo io;
    io.weight = b.weight;
    io.leaf_weight = b.leaf_weight;
    for (const auto& w : b.weight_device) io.weight_devices.push_back({w.major, w.minor, w.weight, w.leaf_weight});
    auto throttle = [](const std::vector<oci::ThrottleDevice>& in) {
      std::vector<cgroups::ThrottleDevice> v;
      for (const auto& t : in) v.push_back({t.major, t.minor, t.rate});
      return v;
    };
    io.throttle_read_bps = throttle(b.throttle_read_bps_device);
    io.throttle_write_bps = throttle(b.throttle_write_bps_device);
    io.throttle_read_iops = throttle(b.throttle_read_iops_device);
    io.throttle_write_iops = throttle(b.throttle_write_iops_device);
    out.block_io = io;
  }
  for (const auto& h : r.hugepage_limits) out.hugepage_limits.push_back({h.page_size, h.limit});
  for (const auto& d : r.devices) {
    cgroups::DeviceRule rule;
    rule.allow = d.allow;
    rule.type = d.type.empty() ? 'a' : d.type[0];
    rule.major = d.major.value_or(-1);
    rule.minor = d.minor.value_or(-1);
    // runc reads only the r, w and m in an access string and ignores the
    // rest ("rwa" is "rw"); a rule left with nothing grants or denies
    // nothing, so it is dropped rather than rejected.
    if (d.access.empty()) {
      rule.access = "rwm";
    } else {
      for (char c : d.access)
        if ((c == 'r' || c == 'w' || c == 'm') && rule.access.find(c) == std::string::npos) rule.access += c;
      if (rule.access.empty()) continue;
    }
    out.devices.push_back(rule);
  }
  out.unified = r.unified;
  return out;
}

cgroups::Resources container_cgroup_resources(const oci::Spec& spec) {
  cgroups::Resources out;
  if (spec.linux && spec.linux->resources) out = to_cgroup_resources(*spec.linux->resources);
  // After the config's own rules (typically "deny all"), allow what every
  // container needs, as runc does: the default nodes, ptys and mknod.
  auto allow = [&](char type, int64_t major, int64_t minor, const char* access) {
    out.devices.push_back({true, type, major, minor, access});
  };
  allow('c', -1, -1, "m");
  allow('b', -1, -1, "m");
  for (auto [maj, min] : {std::pair{1, 3}, {1, 5}, {1, 7}, {5, 0}, {1, 9}, {1, 8}, {5, 2}, {5, 1}, {10, 200}})
    allow('c', maj, min, "rwm");
  allow('c', 136, -1, "rwm");
  // linux.devices are only created; access to them is what the config's
  // resources.devices say (runc's behaviour, which its tests check).
  return out;
}

Result<std::unique_ptr<cgroups::Manager>> new_manager(const Context& ctx, const oci::Spec& spec,
                                                      const std::string& id) {
  cgroups::ManagerOptions options;
  options.cgroups_path = spec.linux ? spec.linux->cgroups_path : "";
  options.container_id = id;
  options.systemd = ctx.systemd_cgroup;
  return cgroups::make_manager(options);
}

}  // namespace berth::runtime
