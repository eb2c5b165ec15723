// config.json -> Spec. Every known member is type-checked and its JSON path
// named in the error ("linux.namespaces[2].type: expected a string");
// unknown members are ignored.
#include <limits>
#include <type_traits>

#include "oci/runtime_codec.hpp"

namespace berth::oci {
namespace {

// Declared up front: the templates below find these by ordinary lookup
// (argument-dependent lookup does not see an unnamed namespace).
Result<> decode(const json::value& v, User& out, const std::string& where);
Result<> decode(const json::value& v, Rlimit& out, const std::string& where);
Result<> decode(const json::value& v, Capabilities& out, const std::string& where);
Result<> decode(const json::value& v, ConsoleSize& out, const std::string& where);
Result<> decode(const json::value& v, IoPriority& out, const std::string& where);
Result<> decode(const json::value& v, Process& out, const std::string& where);
Result<> decode(const json::value& v, Root& out, const std::string& where);
Result<> decode(const json::value& v, IdMapping& out, const std::string& where);
Result<> decode(const json::value& v, Mount& out, const std::string& where);
Result<> decode(const json::value& v, Hook& out, const std::string& where);
Result<> decode(const json::value& v, Hooks& out, const std::string& where);
Result<> decode(const json::value& v, Namespace& out, const std::string& where);
Result<> decode(const json::value& v, Device& out, const std::string& where);
Result<> decode(const json::value& v, DeviceCgroup& out, const std::string& where);
Result<> decode(const json::value& v, MemoryResources& out, const std::string& where);
Result<> decode(const json::value& v, CpuResources& out, const std::string& where);
Result<> decode(const json::value& v, WeightDevice& out, const std::string& where);
Result<> decode(const json::value& v, ThrottleDevice& out, const std::string& where);
Result<> decode(const json::value& v, BlockIoResources& out, const std::string& where);
Result<> decode(const json::value& v, HugepageLimit& out, const std::string& where);
Result<> decode(const json::value& v, NetworkResources& out, const std::string& where);
Result<> decode(const json::value& v, Resources& out, const std::string& where);
Result<> decode(const json::value& v, SeccompArg& out, const std::string& where);
Result<> decode(const json::value& v, SeccompSyscall& out, const std::string& where);
Result<> decode(const json::value& v, Seccomp& out, const std::string& where);
Result<> decode(const json::value& v, TimeOffset& out, const std::string& where);
Result<> decode(const json::value& v, Personality& out, const std::string& where);
Result<> decode(const json::value& v, Linux& out, const std::string& where);
Result<> decode(const json::value& v, Spec& out, const std::string& where);

Unexpected type_error(const std::string& where, std::string_view expected) {
  return make_error(ErrorCategory::InvalidArgument,
                    where + ": expected " + std::string(expected));
}

Result<> decode(const json::value& v, std::string& out, const std::string& where) {
  if (!v.is_string()) return type_error(where, "a string");
  out = std::string(v.get_string());
  return ok();
}

Result<> decode(const json::value& v, bool& out, const std::string& where) {
  if (!v.is_bool()) return type_error(where, "a boolean");
  out = v.get_bool();
  return ok();
}

template <typename T>
  requires std::is_integral_v<T> && (!std::is_same_v<T, bool>)
Result<> decode(const json::value& v, T& out, const std::string& where) {
  using Limits = std::numeric_limits<T>;
  if (v.is_int64()) {
    int64_t x = v.get_int64();
    bool fits = std::is_signed_v<T> ? (x >= static_cast<int64_t>(Limits::min()) &&
                                       x <= static_cast<int64_t>(Limits::max()))
                                    : (x >= 0 && static_cast<uint64_t>(x) <=
                                                     static_cast<uint64_t>(Limits::max()));
    if (!fits) return type_error(where, "an integer in range");
    out = static_cast<T>(x);
    return ok();
  }
  if (v.is_uint64()) {
    uint64_t x = v.get_uint64();
    if (x > static_cast<uint64_t>(Limits::max())) return type_error(where, "an integer in range");
    out = static_cast<T>(x);
    return ok();
  }
  // Go's encoder never writes 1e3 for an integer, but hand-written configs
  // may say 1024.0; accept integral doubles.
  if (v.is_double()) {
    double d = v.get_double();
    if (d != static_cast<double>(static_cast<int64_t>(d)) || d < static_cast<double>(Limits::min()) ||
        d > static_cast<double>(Limits::max()))
      return type_error(where, "an integer");
    out = static_cast<T>(d);
    return ok();
  }
  return type_error(where, std::is_signed_v<T> ? "an integer" : "an unsigned integer");
}

template <typename T>
Result<> decode(const json::value& v, std::vector<T>& out, const std::string& where) {
  out.clear();
  if (v.is_null()) return ok();
  if (!v.is_array()) return type_error(where, "an array");
  const auto& arr = v.get_array();
  out.resize(arr.size());
  for (size_t i = 0; i < arr.size(); ++i)
    TRY(decode(arr[i], out[i], where + "[" + std::to_string(i) + "]"));
  return ok();
}

template <typename T>
Result<> decode(const json::value& v, std::map<std::string, T>& out, const std::string& where) {
  out.clear();
  if (v.is_null()) return ok();
  if (!v.is_object()) return type_error(where, "an object");
  for (const auto& kv : v.get_object()) {
    std::string key(kv.key());
    TRY(decode(kv.value(), out[key], where + "." + key));
  }
  return ok();
}

template <typename T>
Result<> decode(const json::value& v, std::optional<T>& out, const std::string& where) {
  if (v.is_null()) {
    out.reset();
    return ok();
  }
  T value{};
  TRY(decode(v, value, where));
  out = std::move(value);
  return ok();
}

// Reads one member if present; absent members keep their default.
template <typename T>
Result<> field(const json::object& o, std::string_view key, T& out, const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return ok();
  return decode(*v, out, where.empty() ? std::string(key) : where + "." + std::string(key));
}

Result<const json::object*> as_object(const json::value& v, const std::string& where) {
  if (!v.is_object()) return type_error(where.empty() ? "config" : where, "an object");
  return &v.get_object();
}

#define BERTH_FIELDS_BEGIN(Type)                                                  \
  Result<> decode(const json::value& v, Type& out, const std::string& where) {    \
    const json::object& o = *TRY(as_object(v, where));
#define F(key, member) TRY(field(o, key, out.member, where));
#define BERTH_FIELDS_END \
  return ok();           \
  }

BERTH_FIELDS_BEGIN(User)
F("uid", uid) F("gid", gid) F("umask", umask) F("additionalGids", additional_gids)
F("username", username)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Rlimit)
F("type", type) F("hard", hard) F("soft", soft)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Capabilities)
F("bounding", bounding) F("effective", effective) F("inheritable", inheritable)
F("permitted", permitted) F("ambient", ambient)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(ConsoleSize)
F("height", height) F("width", width)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(IoPriority)
F("class", io_class) F("priority", priority)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Process)
F("terminal", terminal) F("consoleSize", console_size) F("user", user) F("args", args)
F("env", env) F("cwd", cwd) F("capabilities", capabilities) F("rlimits", rlimits)
F("noNewPrivileges", no_new_privileges) F("apparmorProfile", apparmor_profile)
F("oomScoreAdj", oom_score_adj) F("selinuxLabel", selinux_label) F("ioPriority", io_priority)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Root)
F("path", path) F("readonly", readonly)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(IdMapping)
F("containerID", container_id) F("hostID", host_id) F("size", size)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Mount)
F("destination", destination) F("type", type) F("source", source) F("options", options)
F("uidMappings", uid_mappings) F("gidMappings", gid_mappings)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Hook)
F("path", path) F("args", args) F("env", env) F("timeout", timeout)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Hooks)
F("prestart", prestart) F("createRuntime", create_runtime) F("createContainer", create_container)
F("startContainer", start_container) F("poststart", poststart) F("poststop", poststop)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Namespace)
F("type", type) F("path", path)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Device)
F("type", type) F("path", path) F("major", major) F("minor", minor) F("fileMode", file_mode)
F("uid", uid) F("gid", gid)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(DeviceCgroup)
F("allow", allow) F("type", type) F("major", major) F("minor", minor) F("access", access)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(MemoryResources)
F("limit", limit) F("reservation", reservation) F("swap", swap) F("kernel", kernel)
F("kernelTCP", kernel_tcp) F("swappiness", swappiness) F("disableOOMKiller", disable_oom_killer)
F("useHierarchy", use_hierarchy) F("checkBeforeUpdate", check_before_update)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(CpuResources)
F("shares", shares) F("quota", quota) F("burst", burst) F("period", period)
F("realtimeRuntime", realtime_runtime) F("realtimePeriod", realtime_period) F("cpus", cpus)
F("mems", mems) F("idle", idle)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(WeightDevice)
F("major", major) F("minor", minor) F("weight", weight) F("leafWeight", leaf_weight)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(ThrottleDevice)
F("major", major) F("minor", minor) F("rate", rate)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(BlockIoResources)
F("weight", weight) F("leafWeight", leaf_weight) F("weightDevice", weight_device)
F("throttleReadBpsDevice", throttle_read_bps_device)
F("throttleWriteBpsDevice", throttle_write_bps_device)
F("throttleReadIOPSDevice", throttle_read_iops_device)
F("throttleWriteIOPSDevice", throttle_write_iops_device)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(HugepageLimit)
F("pageSize", page_size) F("limit", limit)
BERTH_FIELDS_END

Result<> decode(const json::value& v, NetworkResources& out, const std::string& where) {
  const json::object& o = *TRY(as_object(v, where));
  TRY(field(o, "classID", out.class_id, where));
  if (const auto* p = o.if_contains("priorities"); p && p->is_array()) {
    size_t i = 0;
    for (const auto& item : p->get_array()) {
      std::string at = where + ".priorities[" + std::to_string(i++) + "]";
      const json::object& po = *TRY(as_object(item, at));
      std::string name;
      uint32_t prio = 0;
      TRY(field(po, "name", name, at));
      TRY(field(po, "priority", prio, at));
      out.priorities[name] = prio;
    }
  }
  return ok();
}

Result<> decode(const json::value& v, Resources& out, const std::string& where) {
  const json::object& o = *TRY(as_object(v, where));
  TRY(field(o, "devices", out.devices, where));
  TRY(field(o, "memory", out.memory, where));
  TRY(field(o, "cpu", out.cpu, where));
  if (const auto* p = o.if_contains("pids"); p && !p->is_null()) {
    const json::object& po = *TRY(as_object(*p, where + ".pids"));
    int64_t limit = 0;
    TRY(field(po, "limit", limit, where + ".pids"));
    out.pids_limit = limit;
  }
  TRY(field(o, "blockIO", out.block_io, where));
  TRY(field(o, "hugepageLimits", out.hugepage_limits, where));
  TRY(field(o, "network", out.network, where));
  TRY(field(o, "unified", out.unified, where));
  return ok();
}

BERTH_FIELDS_BEGIN(SeccompArg)
F("index", index) F("value", value) F("valueTwo", value_two) F("op", op)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(SeccompSyscall)
F("names", names) F("action", action) F("errnoRet", errno_ret) F("args", args)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Seccomp)
F("defaultAction", default_action) F("defaultErrnoRet", default_errno_ret)
F("architectures", architectures) F("flags", flags) F("listenerPath", listener_path)
F("listenerMetadata", listener_metadata) F("syscalls", syscalls)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(TimeOffset)
F("secs", secs) F("nanosecs", nanosecs)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Personality)
F("domain", domain) F("flags", flags)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Linux)
F("uidMappings", uid_mappings) F("gidMappings", gid_mappings) F("sysctl", sysctl)
F("resources", resources) F("cgroupsPath", cgroups_path) F("namespaces", namespaces)
F("devices", devices) F("seccomp", seccomp) F("rootfsPropagation", rootfs_propagation)
F("maskedPaths", masked_paths) F("readonlyPaths", readonly_paths) F("mountLabel", mount_label)
F("personality", personality) F("timeOffsets", time_offsets)
BERTH_FIELDS_END

BERTH_FIELDS_BEGIN(Spec)
F("ociVersion", oci_version) F("process", process) F("root", root) F("hostname", hostname)
F("domainname", domainname) F("mounts", mounts) F("hooks", hooks)
F("annotations", annotations) F("linux", linux)
BERTH_FIELDS_END

#undef F
#undef BERTH_FIELDS_BEGIN
#undef BERTH_FIELDS_END

template <typename T>
Result<T> parse_as(std::string_view text) {
  auto value = TRY(parse_json(text));
  T out{};
  TRY(decode(value, out, ""));
  return out;
}

}  // namespace

const Namespace* Linux::find_namespace(const std::string& type) const {
  for (const auto& ns : namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

Result<Spec> spec_from_json(const json::value& value) {
  Spec spec;
  TRY(decode(value, spec, ""));
  return spec;
}

Result<Spec> parse_spec(std::string_view text) { return parse_as<Spec>(text); }
Result<Process> parse_process(std::string_view text) { return parse_as<Process>(text); }
Result<Resources> parse_resources(std::string_view text) { return parse_as<Resources>(text); }

}  // namespace berth::oci
