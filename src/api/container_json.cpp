#include "api/container_json.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "api/image_json.hpp"
#include "base/strings.hpp"
#include "engine/container_health.hpp"

namespace berth::api {
namespace json = boost::json;
namespace {

json::value parse_or_empty(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  return ec ? json::value(json::object()) : v;
}

// Config in dockerd's shape (its fields, order, nulls and omissions),
// whatever the create body carried.
json::value config_json(const std::string& text) {
  auto v = parse_or_empty(text);
  return container_config_json(v.is_object() ? v.as_object() : json::object());
}

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object labels_json(const std::map<std::string, std::string>& labels) {
  json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

std::string network_mode(const engine::Container& c) {
  auto hc = parse_or_empty(c.host_config);
  auto* m = hc.is_object() ? hc.as_object().if_contains("NetworkMode") : nullptr;
  return m && m->is_string() ? std::string(m->as_string()) : "default";
}

}  // namespace

int64_t rfc3339_nanos(std::string_view text) {
  if (text.size() < 19 || text.starts_with("0001-")) return 0;
  std::tm tm{};
  std::string s(text);
  if (!::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  int64_t secs = ::timegm(&tm);
  int64_t nanos = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, scale /= 10)
      nanos += (s[i] - '0') * scale;
  }
  return secs * 1000000000 + nanos;
}

std::string human_duration(int64_t seconds) {
  auto plural = [](int64_t n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return plural(seconds, "second");
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return plural(minutes, "minute");
  int64_t hours = minutes / 60;
  if (hours == 1) return "About an hour";
  if (hours < 48) return plural(hours, "hour");
  if (hours < 24 * 7 * 2) return plural(hours / 24, "day");
  if (hours < 24 * 30 * 2) return plural(hours / 24 / 7, "week");
  if (hours < 24 * 365 * 2) return plural(hours / 24 / 30, "month");
  return plural(hours / 24 / 365, "year");
}

std::string container_status_text(const engine::Container& c, int64_t now_unix) {
  const auto& st = c.state;
  if (st.restarting && !st.running())
    return "Restarting (" + std::to_string(st.exit_code) + ") " +
           human_duration(now_unix - rfc3339_nanos(st.finished_at) / 1000000000) + " ago";
  if (st.status == "running") {
    std::string up = "Up " + human_duration(now_unix - rfc3339_nanos(st.started_at) / 1000000000);
    if (st.paused) return up + " (Paused)";
    if (st.health) return up + (st.health->status == "starting" ? " (health: starting)" : " (" + st.health->status + ")");
    return up;
  }
  if (st.status == "removing") return "Removal In Progress";
  if (st.status == "exited") {
    int64_t finished = rfc3339_nanos(st.finished_at) / 1000000000;
    if (finished == 0) return "Exited (" + std::to_string(st.exit_code) + ")";
    return "Exited (" + std::to_string(st.exit_code) + ") " + human_duration(now_unix - finished) + " ago";
  }
  return "Created";
}

json::value container_inspect_json(const engine::Container& c, std::string_view driver) {
  const auto& st = c.state;
  bool restarting = st.restarting && !st.running();
  json::object state{{"Status", st.docker_status()},
                     {"Running", st.running() || restarting},  // dockerd: a restarting container "runs"
                     {"Paused", st.paused && st.running()},
                     {"Restarting", restarting},
                     {"OOMKilled", false},
                     {"Dead", st.status == "dead"},
                     {"Pid", st.pid},
                     {"ExitCode", st.exit_code},
                     {"Error", st.error},
                     {"StartedAt", st.started_at},
                     {"FinishedAt", st.finished_at}};
  if (st.health) state["Health"] = engine::health_to_json(*st.health);
  json::object network_settings{{"Bridge", ""},          {"SandboxID", ""},       {"SandboxKey", ""},
                                {"Ports", json::object()}, {"HairpinMode", false}, {"LinkLocalIPv6Address", ""},
                                {"LinkLocalIPv6PrefixLen", 0}, {"SecondaryIPAddresses", nullptr},
                                {"SecondaryIPv6Addresses", nullptr}, {"EndpointID", ""}, {"Gateway", ""},
                                {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"IPAddress", ""},
                                {"IPPrefixLen", 0}, {"IPv6Gateway", ""}, {"MacAddress", ""},
                                {"Networks", json::object()}};
  bool host_net = network_mode(c) == "host";
  return json::object{
      {"Id", c.id},
      {"Created", c.created},
      {"Path", c.path},
      {"Args", string_array(c.args)},
      {"State", std::move(state)},
      {"Image", c.image_id},
      {"ResolvConfPath", host_net ? c.dir + "/resolv.conf" : ""},
      {"HostnamePath", c.dir + "/hostname"},
      {"HostsPath", c.dir + "/hosts"},
      {"LogPath", c.log_path},
      {"Name", "/" + c.name},
      {"RestartCount", c.restart_count},
      {"Driver", driver},
      {"Platform", "linux"},
      {"MountLabel", ""},
      {"ProcessLabel", ""},
      {"AppArmorProfile", ""},
      {"ExecIDs", nullptr},
      {"HostConfig", parse_or_empty(c.host_config)},
      {"GraphDriver", json::object{{"Data", nullptr}, {"Name", driver}}},
      {"Mounts", json::array()},
      {"Config", config_json(c.config)},
      {"NetworkSettings", std::move(network_settings)},
  };
}

json::value container_summary_json(const engine::Container& c) {
  std::string command = c.path;
  for (const auto& a : c.args) command += " " + a;
  return json::object{
      {"Id", c.id},
      {"Names", json::array{"/" + c.name}},
      {"Image", c.image},
      {"ImageID", c.image_id},
      {"Command", command},
      {"Created", rfc3339_nanos(c.created) / 1000000000},
      {"Ports", json::array()},
      {"Labels", labels_json(c.labels)},
      {"State", c.state.docker_status()},
      {"Status", container_status_text(c, std::time(nullptr))},
      {"HostConfig", json::object{{"NetworkMode", network_mode(c)}}},
      {"NetworkSettings", json::object{{"Networks", json::object()}}},
      {"Mounts", json::array()},
  };
}

}  // namespace berth::api
