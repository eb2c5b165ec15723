// The structured run/create flags: --mount, --ulimit and --health-*, turned
// into the HostConfig.Mounts, HostConfig.Ulimits and Config.Healthcheck
// shapes the docker CLI sends, with its error wording.
#include <cmath>
#include <cstdlib>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/create_body.hpp"

namespace berth::cli {
namespace json = boost::json;

Error flag_value_error(const std::string& flag, const std::string& value, const std::string& why) {
  return Error(ErrorCategory::InvalidArgument,
               "invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + why);
}

Result<int64_t> parse_go_duration(const std::string& text) {
  // Go's time.ParseDuration: a sequence of decimal numbers with units.
  auto fail = [&](const std::string& why) -> Result<int64_t> {
    return Unexpected(Error(ErrorCategory::InvalidArgument, "time: " + why + " \"" + text + "\""));
  };
  if (text == "0") return 0;
  if (text.empty()) return fail("invalid duration");
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return fail("invalid duration");
    double num = std::atof(text.substr(start, i - start).c_str());
    size_t ustart = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    std::string unit = text.substr(ustart, i - ustart);
    double scale = unit == "ns" ? 1 : unit == "us" || unit == "µs" ? 1e3 : unit == "ms" ? 1e6
                 : unit == "s" ? 1e9 : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : -1;
    if (unit.empty()) return fail("missing unit in duration");
    if (scale < 0)
      return Unexpected(Error(ErrorCategory::InvalidArgument,
                              "time: unknown unit \"" + unit + "\" in duration \"" + text + "\""));
    total += num * scale;
  }
  return static_cast<int64_t>(std::llround(total));
}

namespace {

Result<bool> mount_bool(const std::string& spec, std::string_view key, std::string_view value, bool has) {
  if (!has || value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Unexpected(flag_value_error("--mount", spec, "invalid value for " + std::string(key) + ": " +
                                                          std::string(value)));
}

json::object& sub(json::object& m, const char* key) {
  auto& v = m[key];
  if (!v.is_object()) v.emplace_object();
  return v.get_object();
}

// One --mount: comma-separated key[=value] fields.
Result<json::object> parse_mount(const std::string& spec) {
  json::object m{{"Type", "volume"}};
  for (const auto& field : split(spec, ',')) {
    auto [key, value, has] = split_once(field, '=');
    std::string k = to_lower(key), v(value);
    if (k == "type") m["Type"] = v;
    else if (k == "source" || k == "src") m["Source"] = v;
    else if (k == "target" || k == "destination" || k == "dst") m["Target"] = v;
    else if (k == "readonly" || k == "ro") m["ReadOnly"] = TRY(mount_bool(spec, k, v, has));
    else if (k == "consistency") m["Consistency"] = v;
    else if (k == "bind-propagation") sub(m, "BindOptions")["Propagation"] = v;
    else if (k == "bind-nonrecursive") sub(m, "BindOptions")["NonRecursive"] = TRY(mount_bool(spec, k, v, has));
    else if (k == "volume-nocopy") sub(m, "VolumeOptions")["NoCopy"] = TRY(mount_bool(spec, k, v, has));
    else if (k == "volume-driver") sub(sub(m, "VolumeOptions"), "DriverConfig")["Name"] = v;
    else if (k == "volume-label" || k == "volume-opt") {
      auto [lk, lv, lfound] = split_once(v, '=');
      (void)lfound;
      auto& opts = k == "volume-label" ? sub(sub(m, "VolumeOptions"), "Labels")
                                       : sub(sub(sub(m, "VolumeOptions"), "DriverConfig"), "Options");
      opts[std::string(lk)] = std::string(lv);
    } else if (k == "tmpfs-size") sub(m, "TmpfsOptions")["SizeBytes"] = TRY(parse_bytes(v));
    else if (k == "tmpfs-mode") sub(m, "TmpfsOptions")["Mode"] = TRY(parse_int<int64_t>(v, 8));
    else
      return Unexpected(flag_value_error("--mount", spec, "unexpected key '" + std::string(key) + "' in '" +
                                                              std::string(field) + "'"));
  }
  if (!m.contains("Target")) return Unexpected(flag_value_error("--mount", spec, "target is required"));
  if (m["Type"] == "volume" && m.contains("VolumeOptions"))
    sub(sub(m, "VolumeOptions"), "DriverConfig");  // docker always sends it with volume options
  return m;
}

// --ulimit name=soft[:hard]
Result<json::object> parse_ulimit(const std::string& spec) {
  auto [name, limits, has] = split_once(spec, '=');
  if (!has) return Unexpected(flag_value_error("--ulimit", spec, "invalid ulimit argument: " + spec));
  auto [soft, hard, has_hard] = split_once(limits, ':');
  auto s = parse_int<int64_t>(soft);
  auto h = has_hard ? parse_int<int64_t>(hard) : s;
  if (!s || !h) return Unexpected(flag_value_error("--ulimit", spec, "invalid ulimit argument: " + spec));
  if (*s > *h)
    return Unexpected(flag_value_error("--ulimit", spec, "ulimit soft limit must be less than or equal to hard limit: " +
                                                              std::to_string(*s) + " > " + std::to_string(*h)));
  return json::object{{"Name", std::string(name)}, {"Hard", *h}, {"Soft", *s}};
}


// Flags that fill one Config/HostConfig field as they are ("pass-through").
enum class Kind { Str, Int, Bytes, Bool, List, Map };
struct PassThrough {
  const char* flag;
  const char* value;  // value name in help; "" for a boolean
  const char* help;
  bool host;          // HostConfig (else Config)
  const char* field;
  Kind kind;
};

const PassThrough kPassThrough[] = {
    {"blkio-weight", "uint16", "Block IO weight, 10 to 1000 (0 = unset)", true, "BlkioWeight", Kind::Int},
    {"cgroup-parent", "string", "Parent cgroup of the container", true, "CgroupParent", Kind::Str},
    {"cgroupns", "string", "Cgroup namespace: host or private", true, "CgroupnsMode", Kind::Str},
    {"cpu-period", "int", "CPU CFS period (microseconds)", true, "CpuPeriod", Kind::Int},
    {"cpu-quota", "int", "CPU CFS quota (microseconds per period)", true, "CpuQuota", Kind::Int},
    {"cpu-rt-period", "int", "CPU real-time period (microseconds)", true, "CpuRealtimePeriod", Kind::Int},
    {"cpu-rt-runtime", "int", "CPU real-time runtime (microseconds)", true, "CpuRealtimeRuntime", Kind::Int},
    {"cpuset-cpus", "string", "CPUs the container may run on (0-3, 0,1)", true, "CpusetCpus", Kind::Str},
    {"cpuset-mems", "string", "Memory nodes the container may use (0-3, 0,1)", true, "CpusetMems", Kind::Str},
    {"device-cgroup-rule", "list", "Add a rule to the cgroup device allow list", true, "DeviceCgroupRules", Kind::List},
    {"dns-option", "list", "Set DNS resolver options", true, "DnsOptions", Kind::List},
    {"dns-search", "list", "Set DNS search domains", true, "DnsSearch", Kind::List},
    {"domainname", "string", "Container NIS domain name", false, "Domainname", Kind::Str},
    {"group-add", "list", "Add supplementary groups to the process", true, "GroupAdd", Kind::List},
    {"ipc", "string", "IPC mode (private, shareable, host, container:<name>)", true, "IpcMode", Kind::Str},
    {"isolation", "string", "Container isolation technology", true, "Isolation", Kind::Str},
    {"link", "list", "Add a link to another container", true, "Links", Kind::List},
    {"mac-address", "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)", false, "MacAddress", Kind::Str},
    {"memory-reservation", "bytes", "Memory soft limit", true, "MemoryReservation", Kind::Bytes},
    {"memory-swap", "bytes", "Memory plus swap limit: -1 for unlimited swap", true, "MemorySwap", Kind::Bytes},
    {"memory-swappiness", "int", "Memory swappiness, 0 to 100 (default -1)", true, "MemorySwappiness", Kind::Int},
    {"oom-kill-disable", "", "Disable the OOM killer", true, "OomKillDisable", Kind::Bool},
    {"oom-score-adj", "int", "OOM score adjustment of the container (-1000 to 1000)", true, "OomScoreAdj", Kind::Int},
    {"pid", "string", "PID namespace to use (host, container:<name>)", true, "PidMode", Kind::Str},
    {"runtime", "string", "OCI runtime to run the container with", true, "Runtime", Kind::Str},
    {"shm-size", "bytes", "Size of /dev/shm", true, "ShmSize", Kind::Bytes},
    {"storage-opt", "list", "Storage driver options of the container", true, "StorageOpt", Kind::Map},
    {"sysctl", "map", "Sysctl options (default map[])", true, "Sysctls", Kind::Map},
    {"userns", "string", "User namespace to use", true, "UsernsMode", Kind::Str},
    {"uts", "string", "UTS namespace to use", true, "UTSMode", Kind::Str},
    {"volume-driver", "string", "Volume driver for the container", true, "VolumeDriver", Kind::Str},
    {"volumes-from", "list", "Mount volumes from the named container(s)", true, "VolumesFrom", Kind::List},
};

Result<json::value> pass_value(const PassThrough& p, const Args& args) {
  const std::string& v = args.get(p.flag);
  std::string shown = std::string(p.flag);
  switch (p.kind) {
    case Kind::Str: return json::value(v);
    case Kind::Bool: return json::value(flag_true(args, p.flag));
    case Kind::Int: {
      auto n = parse_int<int64_t>(v);
      if (!n) return Unexpected(flag_value_error("--" + shown, v, "strconv.ParseInt: parsing \"" + v + "\": invalid syntax"));
      return json::value(*n);
    }
    case Kind::Bytes: {
      if (v == "-1") return json::value(-1);
      auto n = parse_bytes(v);
      if (!n) return Unexpected(flag_value_error("--" + shown, v, n.error().message()));
      return json::value(*n);
    }
    case Kind::List: {
      json::array a;
      for (const auto& e : args.all(p.flag)) a.emplace_back(e);
      return json::value(std::move(a));
    }
    case Kind::Map: {
      json::object o;
      for (const auto& e : args.all(p.flag)) {
        auto [k, val, found] = split_once(e, '=');
        (void)found;
        o[std::string(k)] = std::string(val);
      }
      return json::value(std::move(o));
    }
  }
  return json::value(nullptr);
}

// --log-driver/--log-opt, --device, --device-{read,write}-{bps,iops},
// --blkio-weight-device, --annotation, --label-file.
Result<> add_structured(const Args& args, json::object& config, json::object& host) {
  if (args.has("log-driver") || args.has("log-opt")) {
    json::object opts;
    for (const auto& o : args.all("log-opt")) {
      auto [k, v, found] = split_once(o, '=');
      if (!found) return Unexpected(flag_value_error("--log-opt", o, "invalid key value pair format in log options"));
      opts[std::string(k)] = std::string(v);
    }
    host["LogConfig"] = json::object{{"Type", args.get("log-driver")}, {"Config", std::move(opts)}};
  }
  if (args.has("device")) {
    json::array devices;
    for (const auto& d : args.all("device")) {  // host[:container[:permissions]]
      auto parts = split(d, ':');
      std::string perms = parts.size() > 2 ? parts[2] : "rwm";
      std::string inside = parts.size() > 1 ? parts[1] : parts[0];
      if (parts.size() == 2 && parts[1].find('/') == std::string::npos) perms = parts[1], inside = parts[0];
      devices.push_back(json::object{{"PathOnHost", parts[0]}, {"PathInContainer", inside}, {"CgroupPermissions", perms}});
    }
    host["Devices"] = std::move(devices);
  }
  struct Throttle {
    const char* flag;
    const char* field;
    bool bytes;
  };
  for (auto t : {Throttle{"device-read-bps", "BlkioDeviceReadBps", true}, Throttle{"device-write-bps", "BlkioDeviceWriteBps", true},
                 Throttle{"device-read-iops", "BlkioDeviceReadIOps", false},
                 Throttle{"device-write-iops", "BlkioDeviceWriteIOps", false},
                 Throttle{"blkio-weight-device", "BlkioWeightDevice", false}}) {
    if (!args.has(t.flag)) continue;
    json::array list;
    for (const auto& spec : args.all(t.flag)) {  // /dev/sda:1mb
      auto [path, rate, found] = split_once(spec, ':');
      auto n = t.bytes ? parse_bytes(std::string(rate)) : parse_int<int64_t>(rate);
      if (!found || !n) return Unexpected(flag_value_error(std::string("--") + t.flag, spec, "invalid format"));
      list.push_back(json::object{{"Path", std::string(path)}, {std::string(t.field) == "BlkioWeightDevice" ? "Weight" : "Rate", *n}});
    }
    host[t.field] = std::move(list);
  }
  if (args.has("annotation")) {
    json::object a;
    for (const auto& e : args.all("annotation")) {
      auto [k, v, found] = split_once(e, '=');
      (void)found;
      a[std::string(k)] = std::string(v);
    }
    host["Annotations"] = std::move(a);
  }
  for (const auto& p : kPassThrough) {
    if (!args.has(p.flag)) continue;
    (p.host ? host : config)[p.field] = TRY(pass_value(p, args));
  }
  return ok();
}

}  // namespace

std::vector<Flag> create_extra_flags() {
  std::vector<Flag> flags = {
      value_flag(0, "annotation", "map", "Add an annotation to the container (passed to the OCI runtime)", "map[]"),
      value_flag(0, "blkio-weight-device", "list", "Block IO weight per device (/dev/sda:500)", "[]"),
      value_flag(0, "cidfile", "string", "Write the container ID to the file"),
      value_flag(0, "device", "list", "Add a host device to the container"),
      value_flag(0, "device-read-bps", "list", "Limit read rate (bytes per second) from a device", "[]"),
      value_flag(0, "device-read-iops", "list", "Limit read rate (IO per second) from a device", "[]"),
      value_flag(0, "device-write-bps", "list", "Limit write rate (bytes per second) to a device", "[]"),
      value_flag(0, "device-write-iops", "list", "Limit write rate (IO per second) to a device", "[]"),
      value_flag(0, "disable-content-trust", "", "Skip image verification (berth never verifies; accepted for docker scripts)", "true"),
      value_flag(0, "label-file", "list", "Read in a line delimited file of labels"),
      value_flag(0, "log-driver", "string", "Logging driver for the container"),
      value_flag(0, "log-opt", "list", "Log driver options"),
      bool_flag('q', "quiet", "Suppress the pull output"),
      value_flag(0, "health-cmd", "string", "Command to run to check health"),
      value_flag(0, "health-interval", "duration", "Time between running the check (ms|s|m|h) (default 0s)"),
      value_flag(0, "health-retries", "int", "Consecutive failures needed to report unhealthy"),
      value_flag(0, "health-start-interval", "duration",
                 "Time between running the check during the start period (ms|s|m|h) (default 0s)"),
      value_flag(0, "health-start-period", "duration",
                 "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)"),
      value_flag(0, "health-timeout", "duration", "Maximum time to allow one check to run (ms|s|m|h) (default 0s)"),
      value_flag(0, "mount", "mount", "Attach a filesystem mount to the container"),
      bool_flag(0, "no-healthcheck", "Disable any container-specified HEALTHCHECK"),
      value_flag(0, "ulimit", "ulimit", "Ulimit options (default [])"),
  };
  for (const auto& p : kPassThrough)  // pflag shows an unsigned flag's zero default
    flags.push_back(value_flag(0, p.flag, p.value, p.help, std::string_view(p.value) == "uint16" ? "0" : ""));
  return flags;
}

Result<> add_extra_options(const Args& args, json::object& config, json::object& host) {
  TRY(add_structured(args, config, host));
  if (args.has("mount")) {
    json::array mounts;
    for (const auto& spec : args.all("mount")) mounts.push_back(TRY(parse_mount(spec)));
    host["Mounts"] = std::move(mounts);
  }
  if (args.has("ulimit")) {
    json::array ulimits;
    for (const auto& spec : args.all("ulimit")) ulimits.push_back(TRY(parse_ulimit(spec)));
    host["Ulimits"] = std::move(ulimits);
  }
  json::object health;
  if (args.has("health-cmd")) health["Test"] = json::array{"CMD-SHELL", args.get("health-cmd")};
  struct Duration {
    const char* flag;
    const char* field;
  };
  for (auto d : {Duration{"health-interval", "Interval"}, Duration{"health-timeout", "Timeout"},
                 Duration{"health-start-period", "StartPeriod"}, Duration{"health-start-interval", "StartInterval"}}) {
    if (!args.has(d.flag)) continue;
    auto ns = parse_go_duration(args.get(d.flag));
    if (!ns) return Unexpected(flag_value_error(std::string("--") + d.flag, args.get(d.flag), ns.error().message()));
    if (*ns != 0) health[d.field] = *ns;
  }
  if (args.has("health-retries")) {
    auto n = parse_int<int>(args.get("health-retries"));
    if (!n) return Unexpected(flag_value_error("--health-retries", args.get("health-retries"),
                                               "strconv.ParseInt: parsing \"" + args.get("health-retries") +
                                                   "\": invalid syntax"));
    if (*n != 0) health["Retries"] = *n;
  }
  if (flag_true(args, "no-healthcheck")) {
    if (!health.empty())
      return make_error(ErrorCategory::InvalidArgument, "--no-healthcheck conflicts with --health-* options");
    health["Test"] = json::array{"NONE"};
  }
  if (!health.empty()) config["Healthcheck"] = std::move(health);
  return ok();
}

}  // namespace berth::cli
