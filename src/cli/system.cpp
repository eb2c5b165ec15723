// version, info, system df, events.
#include <algorithm>
#include <sys/utsname.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "base/strings.hpp"
#include "base/version.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

// Go's time.ANSIC in UTC: "Thu May  7 21:09:36 2026".
std::string ansic(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

std::string pad(const std::string& key, size_t width) {
  return key + std::string(key.size() + 1 > width ? 1 : width - key.size(), ' ');
}

std::string details(const json::value& c, const char* key) {
  auto* d = c.get_object().if_contains("Details");
  if (!d || !d->is_object()) return {};
  auto* v = d->get_object().if_contains(key);
  return v ? go_print(*v) : std::string();
}

std::string server_version_text(const json::value& v) {
  std::string s = "Server:";
  if (auto* p = v.get_object().if_contains("Platform"); p && !str_field(*p, "Name").empty())
    s += " " + str_field(*p, "Name");
  s += "\n";
  auto* comps = v.get_object().if_contains("Components");
  if (!comps || !comps->is_array()) return s;
  for (const auto& c : comps->get_array()) {
    s += " " + str_field(c, "Name") + ":\n";
    auto line = [&](const std::string& k, const std::string& val) { s += pad("  " + k + ":", 20) + val + "\n"; };
    if (str_field(c, "Name") == "Engine") {
      line("Version", str_field(c, "Version"));
      line("API version", details(c, "ApiVersion") + " (minimum version " + details(c, "MinAPIVersion") + ")");
      line("Go version", details(c, "GoVersion"));
      line("Git commit", details(c, "GitCommit"));
      int64_t built = parse_rfc3339(details(c, "BuildTime"));
      line("Built", built ? ansic(built) : details(c, "BuildTime"));
      line("OS/Arch", details(c, "Os") + "/" + details(c, "Arch"));
      line("Experimental", details(c, "Experimental"));
    } else {
      line("Version", str_field(c, "Version"));
      if (auto* d = c.get_object().if_contains("Details"); d && d->is_object()) {
        std::vector<std::string> keys;
        for (const auto& kv : d->get_object()) keys.emplace_back(kv.key());
        std::sort(keys.begin(), keys.end());
        for (const auto& k : keys) s += pad("  " + k + ":", 20) + go_print(d->get_object().at(k)) + "\n";
      }
    }
  }
  return s;
}

Result<int> version_cmd(Context& ctx, const Args& args) {
  std::string api = ctx.api_version().value_or("");
  json::object client{{"Version", BERTH_VERSION}, {"ApiVersion", api},
                      {"DefaultAPIVersion", kMaxApiVersion}, {"GitCommit", git_commit()},
                      {"BuildTime", build_time()}, {"Os", "linux"}, {"Arch", "amd64"}, {"Context", "default"}};
  auto server = ctx.get_json("/version");
  if (args.has("format")) {
    json::object all{{"Client", client}};
    if (server) {
      // Templates see docker's Go field names (types.Version.APIVersion).
      json::value sv = *server;
      if (sv.is_object()) sv.get_object()["APIVersion"] = str_field(sv, "ApiVersion");
      all["Server"] = sv;
    }
    out(TRY(TRY(Template::parse(args.get("format"))).render(all)));
    if (!server) return tl::unexpected(server.error());
    return 0;
  }
  std::string api_line = api;
  if (!api.empty() && compare_versions(api, kMaxApiVersion) < 0)
    api_line += std::string(" (downgraded from ") + kMaxApiVersion + ")";
  std::string s = "Client:\n";
  auto line = [&](const std::string& k, const std::string& val) { s += pad(" " + k + ":", 20) + val + "\n"; };
  line("Version", BERTH_VERSION);
  line("API version", api_line.empty() ? kMaxApiVersion : api_line);
  line("Git commit", git_commit());
  int64_t built = parse_rfc3339(build_time());
  line("Built", built ? ansic(built) : build_time());
  line("OS/Arch", "linux/amd64");
  line("Context", "default");
  if (server) s += "\n" + server_version_text(*server);
  out(s);
  if (!server) return tl::unexpected(server.error());
  return 0;
}

std::string list_of(const json::value& v, std::string_view key) {
  std::vector<std::string> items;
  if (v.is_object())
    if (auto* a = v.get_object().if_contains(key); a && a->is_array())
      for (const auto& e : a->get_array()) items.push_back(go_print(e));
  return join(items, " ");
}

std::string commit_id(const json::value& info, std::string_view key) {
  auto* c = info.get_object().if_contains(key);
  return c ? str_field(*c, "ID") : std::string();
}

void security_options(const json::value& info, std::string& s) {
  auto* opts = info.get_object().if_contains("SecurityOptions");
  if (!opts || !opts->is_array() || opts->get_array().empty()) return;
  s += " Security Options:\n";
  for (const auto& o : opts->get_array()) {
    for (const auto& kv : split(go_print(o), ',')) {
      auto [k, val, found] = split_once(kv, '=');
      (void)found;
      if (k == "name") {
        s += "  " + std::string(val) + "\n";
      } else {
        std::string key(k);
        if (!key.empty()) key[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(key[0])));
        s += "   " + key + ": " + std::string(val) + "\n";
      }
    }
  }
}

void registries(const json::value& info, std::string& s) {
  auto* reg = info.get_object().if_contains("RegistryConfig");
  if (!reg || !reg->is_object()) return;
  std::vector<std::string> insecure;
  if (auto* idx = reg->get_object().if_contains("IndexConfigs"); idx && idx->is_object())
    for (const auto& kv : idx->get_object())
      if (auto* sec = kv.value().get_object().if_contains("Secure"); sec && sec->is_bool() && !sec->get_bool())
        insecure.emplace_back(kv.key());
  std::sort(insecure.begin(), insecure.end());
  if (auto* cidrs = reg->get_object().if_contains("InsecureRegistryCIDRs"); cidrs && cidrs->is_array())
    for (const auto& c : cidrs->get_array()) insecure.push_back(go_print(c));
  if (!insecure.empty()) {
    s += " Insecure Registries:\n";
    for (const auto& i : insecure) s += "  " + i + "\n";
  }
  if (auto* m = reg->get_object().if_contains("Mirrors"); m && m->is_array() && !m->get_array().empty()) {
    s += " Registry Mirrors:\n";
    for (const auto& e : m->get_array()) s += "  " + go_print(e) + "\n";
  }
}

std::string server_info_text(const json::value& info) {
  std::string s = "Server:\n";
  auto kv = [&](const std::string& indent, const std::string& k, const std::string& v) {
    s += indent + k + ": " + v + "\n";
  };
  auto num = [&](const char* k) { return std::to_string(int_field(info, k)); };
  auto str = [&](const char* k) { return go_print(info.get_object().contains(k) ? info.at(k) : json::value("")); };
  kv(" ", "Containers", num("Containers"));
  kv("  ", "Running", num("ContainersRunning"));
  kv("  ", "Paused", num("ContainersPaused"));
  kv("  ", "Stopped", num("ContainersStopped"));
  kv(" ", "Images", num("Images"));
  kv(" ", "Server Version", str("ServerVersion"));
  kv(" ", "Storage Driver", str("Driver"));
  if (auto* ds = info.get_object().if_contains("DriverStatus"); ds && ds->is_array())
    for (const auto& pair : ds->get_array())
      if (pair.is_array() && pair.get_array().size() == 2)
        kv("  ", go_print(pair.get_array()[0]), go_print(pair.get_array()[1]));
  kv(" ", "Logging Driver", str("LoggingDriver"));
  kv(" ", "Cgroup Driver", str("CgroupDriver"));
  kv(" ", "Cgroup Version", str("CgroupVersion"));
  if (auto* p = info.get_object().if_contains("Plugins"); p && p->is_object()) {
    s += " Plugins:\n";
    kv("  ", "Volume", list_of(*p, "Volume"));
    kv("  ", "Network", list_of(*p, "Network"));
    kv("  ", "Log", list_of(*p, "Log"));
  }
  auto* swarm = info.get_object().if_contains("Swarm");
  kv(" ", "Swarm", swarm ? str_field(*swarm, "LocalNodeState") : "inactive");
  std::vector<std::string> runtimes;
  if (auto* r = info.get_object().if_contains("Runtimes"); r && r->is_object())
    for (const auto& e : r->get_object()) runtimes.emplace_back(e.key());
  std::sort(runtimes.begin(), runtimes.end());
  kv(" ", "Runtimes", join(runtimes, " "));
  kv(" ", "Default Runtime", str("DefaultRuntime"));
  kv(" ", "Init Binary", str("InitBinary"));
  kv(" ", "containerd version", commit_id(info, "ContainerdCommit"));
  kv(" ", "runc version", commit_id(info, "RuncCommit"));
  kv(" ", "init version", commit_id(info, "InitCommit"));
  security_options(info, s);
  kv(" ", "Kernel Version", str("KernelVersion"));
  kv(" ", "Operating System", str("OperatingSystem"));
  kv(" ", "OSType", str("OSType"));
  kv(" ", "Architecture", str("Architecture"));
  kv(" ", "CPUs", num("NCPU"));
  kv(" ", "Total Memory", bytes_size(static_cast<double>(int_field(info, "MemTotal"))));
  kv(" ", "Name", str("Name"));
  kv(" ", "ID", str("ID"));
  kv(" ", "Docker Root Dir", str("DockerRootDir"));
  kv(" ", "Debug Mode", str("Debug"));
  for (const char* proxy : {"HttpProxy", "HttpsProxy", "NoProxy"}) {
    std::string v = str_field(info, proxy);
    if (!v.empty()) kv(" ", proxy == std::string("HttpProxy") ? "HTTP Proxy" : proxy == std::string("HttpsProxy") ? "HTTPS Proxy" : "No Proxy", v);
  }
  if (auto* l = info.get_object().if_contains("Labels"); l && l->is_array() && !l->get_array().empty()) {
    s += " Labels:\n";
    for (const auto& e : l->get_array()) s += "  " + go_print(e) + "\n";
  }
  kv(" ", "Experimental", str("ExperimentalBuild"));
  registries(info, s);
  kv(" ", "Live Restore Enabled", str("LiveRestoreEnabled"));
  return s;
}

Result<int> info_cmd(Context& ctx, const Args& args) {
  auto info = ctx.get_json("/info");
  if (args.has("format")) {
    if (!info) return tl::unexpected(info.error());
    out(TRY(TRY(Template::parse(args.get("format"))).render(*info)));
    return 0;
  }
  std::string s = "Client:\n Version:    " + std::string(BERTH_VERSION) +
                  "\n Context:    default\n Debug Mode: false\n\n";
  if (!info) {
    out(s + "Server:\n");
    return tl::unexpected(info.error());
  }
  out(s + server_info_text(*info) + "\n");
  if (auto* w = info->get_object().if_contains("Warnings"); w && w->is_array())
    for (const auto& e : w->get_array()) err(go_print(e) + "\n");
  return 0;
}

Result<int> df_cmd(Context& ctx, const Args& args) {
  auto df = TRY(ctx.get_json("/system/df"));
  auto count = [&](const char* key, auto active_of, auto size_of) {
    int64_t total = 0, active = 0;
    double size = 0, reclaim = 0;
    if (auto* a = df.get_object().if_contains(key); a && a->is_array())
      for (const auto& e : a->get_array()) {
        ++total;
        bool used = active_of(e);
        active += used;
        size += size_of(e);
        if (!used) reclaim += size_of(e);
      }
    json::object row{{"TotalCount", std::to_string(total)}, {"Active", std::to_string(active)},
                     {"Size", human_size(size)}};
    int pct = size > 0 ? static_cast<int>(reclaim * 100 / size) : 0;
    row["Reclaimable"] = human_size(reclaim) + (size > 0 ? " (" + std::to_string(pct) + "%)" : "");
    return row;
  };
  auto images = count("Images", [](const json::value& e) { return int_field(e, "Containers") > 0; },
                      [](const json::value& e) { return static_cast<double>(int_field(e, "Size")); });
  images["Type"] = "Images";
  auto containers = count("Containers", [](const json::value& e) { return str_field(e, "State") == "running"; },
                          [](const json::value& e) { return static_cast<double>(int_field(e, "SizeRw")); });
  containers["Type"] = "Containers";
  auto volumes = count("Volumes", [](const json::value& e) { return e.is_object() && e.get_object().contains("UsageData") && int_field(e.at("UsageData"), "RefCount") > 0; },
                       [](const json::value& e) { return e.is_object() && e.get_object().contains("UsageData") ? static_cast<double>(int_field(e.at("UsageData"), "Size")) : 0.0; });
  volumes["Type"] = "Local Volumes";
  auto cache = count("BuildCache", [](const json::value& e) { return e.is_object() && e.get_object().contains("InUse") && e.at("InUse").is_bool() && e.at("InUse").get_bool(); },
                     [](const json::value& e) { return static_cast<double>(int_field(e, "Size")); });
  cache["Type"] = "Build Cache";
  std::vector<json::value> rows{images, containers, volumes, cache};
  out(TRY(render_rows(args.get("format"),
                      "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}", rows,
                      {{"Type", "TYPE"}, {"TotalCount", "TOTAL"}, {"Active", "ACTIVE"}, {"Size", "SIZE"},
                       {"Reclaimable", "RECLAIMABLE"}})));
  return 0;
}

}  // namespace

std::vector<Command> system_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"version", {}, "[OPTIONS]", "Show the berth version information",
                  {value_flag('f', "format", "string", "Format output using a custom template")}, 0, 0, false, 1,
                  version_cmd});
  cmds.push_back({"info", {"system info"}, "[OPTIONS]", "Display system-wide information",
                  {value_flag('f', "format", "string", "Format output using a custom template")}, 0, 0, false, 1,
                  info_cmd});
  cmds.push_back({"system df", {}, "[OPTIONS]", "Show berth disk usage",
                  {value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag('v', "verbose", "Show detailed information on space usage")},
                  0, 0, false, 1, df_cmd});
  return cmds;
}

}  // namespace berth::cli
