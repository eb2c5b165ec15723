// Spec -> JSON, keys in the order of the spec's Go types, empty optional
// members omitted (Go's `omitempty`), so `spec` output diffs cleanly
// against `runc spec`.
#include "oci/runtime_codec.hpp"

namespace berth::oci {
namespace {

// Declared up front: the templates below find these by ordinary lookup
// (argument-dependent lookup does not see an unnamed namespace).
json::value enc(const User& v);
json::value enc(const Rlimit& v);
json::value enc(const Capabilities& v);
json::value enc(const ConsoleSize& v);
json::value enc(const IoPriority& v);
json::value enc(const Process& v);
json::value enc(const Root& v);
json::value enc(const IdMapping& v);
json::value enc(const Mount& v);
json::value enc(const Hook& v);
json::value enc(const Hooks& v);
json::value enc(const Namespace& v);
json::value enc(const Device& v);
json::value enc(const DeviceCgroup& v);
json::value enc(const MemoryResources& v);
json::value enc(const CpuResources& v);
json::value enc(const WeightDevice& v);
json::value enc(const ThrottleDevice& v);
json::value enc(const BlockIoResources& v);
json::value enc(const HugepageLimit& v);
json::value enc(const NetworkResources& v);
json::value enc(const Resources& v);
json::value enc(const SeccompArg& v);
json::value enc(const SeccompSyscall& v);
json::value enc(const Seccomp& v);
json::value enc(const TimeOffset& v);
json::value enc(const Personality& v);
json::value enc(const Linux& v);

json::value enc(const std::string& s) { return json::string(s); }
json::value enc(bool b) { return b; }
template <typename T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
json::value enc(T v) {
  if constexpr (std::is_signed_v<T>)
    return static_cast<int64_t>(v);
  else
    return static_cast<uint64_t>(v);
}
template <typename T>
json::value enc(const std::vector<T>& list);
template <typename T>
json::value enc(const std::map<std::string, T>& map);

// "Empty" as Go's omitempty sees it.
bool empty(const std::string& s) { return s.empty(); }
bool empty(bool b) { return !b; }
template <typename T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
bool empty(T v) {
  return v == 0;
}
template <typename T>
bool empty(const std::vector<T>& v) {
  return v.empty();
}
template <typename T>
bool empty(const std::map<std::string, T>& m) {
  return m.empty();
}
template <typename T>
bool empty(const std::optional<T>& o) {
  return !o.has_value();
}

class Obj {
 public:
  // Always written, even when zero (uid, gid, hard, soft, …).
  template <typename T>
  Obj& req(std::string_view key, const T& v) {
    o_[key] = enc(v);
    return *this;
  }
  template <typename T>
  Obj& opt(std::string_view key, const T& v) {
    if (!empty(v)) o_[key] = enc(v);
    return *this;
  }
  template <typename T>
  Obj& opt(std::string_view key, const std::optional<T>& v) {
    if (v) o_[key] = enc(*v);
    return *this;
  }
  json::value done() { return std::move(o_); }

 private:
  json::object o_;
};

json::value enc(const User& u) {
  return Obj()
      .req("uid", u.uid)
      .req("gid", u.gid)
      .opt("umask", u.umask)
      .opt("additionalGids", u.additional_gids)
      .opt("username", u.username)
      .done();
}
json::value enc(const Rlimit& r) {
  return Obj().req("type", r.type).req("hard", r.hard).req("soft", r.soft).done();
}
json::value enc(const Capabilities& c) {
  return Obj()
      .opt("bounding", c.bounding)
      .opt("effective", c.effective)
      .opt("inheritable", c.inheritable)
      .opt("permitted", c.permitted)
      .opt("ambient", c.ambient)
      .done();
}
json::value enc(const ConsoleSize& c) {
  return Obj().req("height", c.height).req("width", c.width).done();
}
json::value enc(const IoPriority& p) {
  return Obj().req("class", p.io_class).req("priority", p.priority).done();
}
json::value enc(const Process& p) {
  return Obj()
      .opt("terminal", p.terminal)
      .opt("consoleSize", p.console_size)
      .req("user", p.user)
      .opt("args", p.args)
      .opt("env", p.env)
      .req("cwd", p.cwd)
      .opt("capabilities", p.capabilities)
      .opt("rlimits", p.rlimits)
      .opt("noNewPrivileges", p.no_new_privileges)
      .opt("apparmorProfile", p.apparmor_profile)
      .opt("oomScoreAdj", p.oom_score_adj)
      .opt("selinuxLabel", p.selinux_label)
      .opt("ioPriority", p.io_priority)
      .done();
}
json::value enc(const Root& r) { return Obj().req("path", r.path).opt("readonly", r.readonly).done(); }
json::value enc(const IdMapping& m) {
  return Obj().req("containerID", m.container_id).req("hostID", m.host_id).req("size", m.size).done();
}
json::value enc(const Mount& m) {
  return Obj()
      .req("destination", m.destination)
      .opt("type", m.type)
      .opt("source", m.source)
      .opt("options", m.options)
      .opt("uidMappings", m.uid_mappings)
      .opt("gidMappings", m.gid_mappings)
      .done();
}
json::value enc(const Hook& h) {
  return Obj().req("path", h.path).opt("args", h.args).opt("env", h.env).opt("timeout", h.timeout).done();
}
json::value enc(const Hooks& h) {
  return Obj()
      .opt("prestart", h.prestart)
      .opt("createRuntime", h.create_runtime)
      .opt("createContainer", h.create_container)
      .opt("startContainer", h.start_container)
      .opt("poststart", h.poststart)
      .opt("poststop", h.poststop)
      .done();
}
json::value enc(const Namespace& n) { return Obj().req("type", n.type).opt("path", n.path).done(); }
json::value enc(const Device& d) {
  return Obj()
      .req("type", d.type)
      .req("path", d.path)
      .opt("major", d.major)
      .opt("minor", d.minor)
      .opt("fileMode", d.file_mode)
      .opt("uid", d.uid)
      .opt("gid", d.gid)
      .done();
}
json::value enc(const DeviceCgroup& d) {
  return Obj()
      .req("allow", d.allow)
      .opt("type", d.type)
      .opt("major", d.major)
      .opt("minor", d.minor)
      .opt("access", d.access)
      .done();
}
json::value enc(const MemoryResources& m) {
  return Obj()
      .opt("limit", m.limit)
      .opt("reservation", m.reservation)
      .opt("swap", m.swap)
      .opt("kernel", m.kernel)
      .opt("kernelTCP", m.kernel_tcp)
      .opt("swappiness", m.swappiness)
      .opt("disableOOMKiller", m.disable_oom_killer)
      .opt("useHierarchy", m.use_hierarchy)
      .opt("checkBeforeUpdate", m.check_before_update)
      .done();
}
json::value enc(const CpuResources& c) {
  return Obj()
      .opt("shares", c.shares)
      .opt("quota", c.quota)
      .opt("burst", c.burst)
      .opt("period", c.period)
      .opt("realtimeRuntime", c.realtime_runtime)
      .opt("realtimePeriod", c.realtime_period)
      .opt("cpus", c.cpus)
      .opt("mems", c.mems)
      .opt("idle", c.idle)
      .done();
}
json::value enc(const WeightDevice& w) {
  return Obj()
      .req("major", w.major)
      .req("minor", w.minor)
      .opt("weight", w.weight)
      .opt("leafWeight", w.leaf_weight)
      .done();
}
json::value enc(const ThrottleDevice& t) {
  return Obj().req("major", t.major).req("minor", t.minor).req("rate", t.rate).done();
}
json::value enc(const BlockIoResources& b) {
  return Obj()
      .opt("weight", b.weight)
      .opt("leafWeight", b.leaf_weight)
      .opt("weightDevice", b.weight_device)
      .opt("throttleReadBpsDevice", b.throttle_read_bps_device)
      .opt("throttleWriteBpsDevice", b.throttle_write_bps_device)
      .opt("throttleReadIOPSDevice", b.throttle_read_iops_device)
      .opt("throttleWriteIOPSDevice", b.throttle_write_iops_device)
      .done();
}
json::value enc(const HugepageLimit& h) {
  return Obj().req("pageSize", h.page_size).req("limit", h.limit).done();
}
json::value enc(const NetworkResources& n) {
  json::array prios;
  for (const auto& [name, prio] : n.priorities)
    prios.push_back(Obj().req("name", name).req("priority", prio).done());
  json::object o = Obj().opt("classID", n.class_id).done().as_object();
  if (!prios.empty()) o["priorities"] = std::move(prios);
  return o;
}
json::value enc(const Resources& r) {
  json::object o = Obj().opt("devices", r.devices).opt("memory", r.memory).opt("cpu", r.cpu).done().as_object();
  if (r.pids_limit) o["pids"] = Obj().req("limit", *r.pids_limit).done();
  if (r.block_io) o["blockIO"] = enc(*r.block_io);
  if (!r.hugepage_limits.empty()) o["hugepageLimits"] = enc(r.hugepage_limits);
  if (r.network) o["network"] = enc(*r.network);
  if (!r.unified.empty()) o["unified"] = enc(r.unified);
  return o;
}
json::value enc(const SeccompArg& a) {
  return Obj().req("index", a.index).req("value", a.value).opt("valueTwo", a.value_two).req("op", a.op).done();
}
json::value enc(const SeccompSyscall& s) {
  return Obj()
      .req("names", s.names)
      .req("action", s.action)
      .opt("errnoRet", s.errno_ret)
      .opt("args", s.args)
      .done();
}
json::value enc(const Seccomp& s) {
  return Obj()
      .req("defaultAction", s.default_action)
      .opt("defaultErrnoRet", s.default_errno_ret)
      .opt("architectures", s.architectures)
      .opt("flags", s.flags)
      .opt("listenerPath", s.listener_path)
      .opt("listenerMetadata", s.listener_metadata)
      .opt("syscalls", s.syscalls)
      .done();
}
json::value enc(const TimeOffset& t) { return Obj().req("secs", t.secs).req("nanosecs", t.nanosecs).done(); }
json::value enc(const Personality& p) { return Obj().req("domain", p.domain).opt("flags", p.flags).done(); }
json::value enc(const Linux& l) {
  return Obj()
      .opt("uidMappings", l.uid_mappings)
      .opt("gidMappings", l.gid_mappings)
      .opt("sysctl", l.sysctl)
      .opt("resources", l.resources)
      .opt("cgroupsPath", l.cgroups_path)
      .opt("namespaces", l.namespaces)
      .opt("devices", l.devices)
      .opt("seccomp", l.seccomp)
      .opt("rootfsPropagation", l.rootfs_propagation)
      .opt("maskedPaths", l.masked_paths)
      .opt("readonlyPaths", l.readonly_paths)
      .opt("mountLabel", l.mount_label)
      .opt("personality", l.personality)
      .opt("timeOffsets", l.time_offsets)
      .done();
}

template <typename T>
json::value enc(const std::vector<T>& list) {
  json::array a;
  a.reserve(list.size());
  for (const auto& item : list) a.push_back(enc(item));
  return a;
}
template <typename T>
json::value enc(const std::map<std::string, T>& map) {
  json::object o;
  for (const auto& [k, v] : map) o[k] = enc(v);
  return o;
}

}  // namespace

json::value spec_to_json(const Spec& s) {
  return Obj()
      .req("ociVersion", s.oci_version)
      .opt("process", s.process)
      .opt("root", s.root)
      .opt("hostname", s.hostname)
      .opt("domainname", s.domainname)
      .opt("mounts", s.mounts)
      .opt("hooks", s.hooks)
      .opt("annotations", s.annotations)
      .opt("linux", s.linux)
      .done();
}

json::value process_to_json(const Process& process) { return enc(process); }
json::value resources_to_json(const Resources& resources) { return enc(resources); }

}  // namespace berth::oci
