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

}  // namespace

std::vector<Flag> create_extra_flags() {
  return {
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
}

Result<> add_extra_options(const Args& args, json::object& config, json::object& host) {
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
