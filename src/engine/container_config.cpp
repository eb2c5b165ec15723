#include "engine/container_config.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <climits>

#include "base/strings.hpp"
#include "engine/container_health.hpp"
#include "net/model.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

Unexpected bad(std::string msg) { return make_error(ErrorCategory::InvalidArgument, std::move(msg)); }

Result<json::object> parse_object(std::string_view text, std::string_view what) {
  if (trim(text).empty()) return json::object();
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return bad("invalid JSON: " + ec.message());
  if (v.is_null()) return json::object();
  if (!v.is_object()) return bad(std::string(what) + ": expected an object");
  return std::move(v.as_object());
}

const json::object* member_object(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool boolean(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

std::optional<int64_t> integer(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

// Cmd/Entrypoint/Env: an array of strings, a single string, or null.
Result<std::optional<std::vector<std::string>>> strings(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  if (v->is_string()) return std::optional(std::vector<std::string>{std::string(v->as_string())});
  if (!v->is_array()) return bad("json: cannot unmarshal " + std::string(key) + " into a string list");
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return bad("json: cannot unmarshal " + std::string(key) + " into a string list");
    out.emplace_back(e.as_string());
  }
  return std::optional(std::move(out));
}

json::value to_json(const std::optional<std::vector<std::string>>& list) {
  if (!list) return nullptr;
  json::array a;
  for (const auto& s : *list) a.emplace_back(s);
  return a;
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string env_key(std::string_view kv) { return std::string(kv.substr(0, kv.find('='))); }

// dockerd's merge into Config.Env: the user's entries first, then the
// image's whose names the user did not set (an unset "NAME" counts).
std::vector<std::string> merge_env(const std::vector<std::string>& image, const std::vector<std::string>& user) {
  if (user.empty()) return image;
  std::vector<std::string> out = user;
  for (const auto& e : image)
    if (std::none_of(user.begin(), user.end(), [&](const auto& u) { return env_key(u) == env_key(e); }))
      out.push_back(e);
  return out;
}

Result<> check_host_config(const json::object& hc, std::vector<std::string>& warnings) {
  // NetworkMode (user networks, container:<id>) is checked by the
  // networking glue (ContainerNetworking::created), which knows the networks.
  TRY(net::NetworkMode::parse(str(hc, "NetworkMode")));
  (void)warnings;
  auto* rp = member_object(hc, "RestartPolicy");
  std::string policy = rp ? str(*rp, "Name") : "";
  if (!policy.empty() && policy != "no" && policy != "always" && policy != "on-failure" &&
      policy != "unless-stopped")
    return bad("invalid restart policy: unknown policy '" + policy +
               "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
  if (boolean(hc, "AutoRemove") && !policy.empty() && policy != "no")
    return bad("can't create 'AutoRemove' container with restart policy");
  if (auto m = integer(hc, "Memory"); m && *m != 0 && *m < 6 * 1024 * 1024)
    return bad("Minimum memory limit allowed is 6MB");
  return ok();
}

}  // namespace

Result<std::string> create_body_image(std::string_view body) {
  auto o = TRY(parse_object(body, "body"));
  std::string image = str(o, "Image");
  if (image.empty()) return bad("Config cannot be empty in order to create a container");
  return image;
}

Result<> apply_create_body(Container& c, std::string_view body, const oci::ImageConfig& image,
                           std::vector<std::string>& warnings) {
  auto o = TRY(parse_object(body, "body"));
  json::object hc;
  if (auto* h = member_object(o, "HostConfig")) hc = *h;
  TRY(check_host_config(hc, warnings));
  TRY(check_healthcheck(o));
  if (auto stop_signal = str(o, "StopSignal"); !stop_signal.empty()) TRY(parse_signal(stop_signal));
  const auto& ic = image.config;

  auto cmd = TRY(strings(o, "Cmd"));
  auto entrypoint = TRY(strings(o, "Entrypoint"));
  auto env = TRY(strings(o, "Env")).value_or(std::vector<std::string>{});
  // dockerd: an explicit Entrypoint drops the image's Cmd; [""] clears
  // the image's; an empty one ([]) or an empty Cmd counts as unset for
  // the Cmd (an [] Entrypoint is kept as it came).
  bool cleared = entrypoint && entrypoint->size() == 1 && (*entrypoint)[0].empty();
  if (cleared) {
    entrypoint = std::vector<std::string>{};
  } else if (!entrypoint || entrypoint->empty()) {
    if (!cmd || cmd->empty()) cmd = ic.cmd;
    if (!entrypoint) entrypoint = ic.entrypoint;
  }
  std::vector<std::string> argv;
  if (entrypoint) argv = *entrypoint;
  if (cmd) argv.insert(argv.end(), cmd->begin(), cmd->end());
  if (argv.empty()) return bad("No command specified");
  c.path = argv[0];
  c.args.assign(argv.begin() + 1, argv.end());

  json::object config = o;
  config.erase("HostConfig");
  config.erase("NetworkingConfig");
  config["Cmd"] = to_json(cmd);
  config["Entrypoint"] = cleared ? json::value(nullptr) : to_json(entrypoint);
  json::array env_json;
  for (const auto& e : merge_env(ic.env, env)) env_json.emplace_back(e);
  config["Env"] = std::move(env_json);
  if (str(config, "WorkingDir").empty()) config["WorkingDir"] = ic.working_dir;
  if (str(config, "User").empty()) config["User"] = ic.user;
  if (str(config, "StopSignal").empty() && !ic.stop_signal.empty()) config["StopSignal"] = ic.stop_signal;
  // A host-network container takes the host's name, as with dockerd.
  if (str(config, "Hostname").empty())
    config["Hostname"] = str(hc, "NetworkMode") == "host" ? host_name() : c.id.substr(0, 12);
  // The image's VOLUMEs join the container's Config.Volumes.
  if (!ic.volumes.empty()) {
    json::object volumes;
    if (auto* v = member_object(config, "Volumes")) volumes = *v;
    for (const auto& p : ic.volumes)
      if (!volumes.contains(p)) volumes[p] = json::object();
    config["Volumes"] = std::move(volumes);
  }
  // dockerd merges the image's EXPOSE into the container's ExposedPorts
  // (what -P publishes and `docker ps` lists).
  if (!ic.exposed_ports.empty()) {
    json::object exposed;
    if (auto* e = member_object(config, "ExposedPorts")) exposed = *e;
    for (const auto& p : ic.exposed_ports)
      if (!exposed.contains(p)) exposed[p] = json::object();
    config["ExposedPorts"] = std::move(exposed);
  }
  if (auto* raw = member_object(image.raw, "config")) merge_healthcheck(config, *raw);
  json::object labels;
  for (const auto& [k, v] : ic.labels) labels[k] = v;
  if (auto* l = member_object(o, "Labels"))
    for (const auto& [k, v] : *l)
      if (v.is_string()) labels[k] = v.as_string();
  for (const auto& [k, v] : labels) c.labels[std::string(k)] = std::string(v.as_string());
  config["Labels"] = std::move(labels);
  config["Image"] = c.image;
  for (const char* key : {"Domainname", "StopSignal"})
    if (!config.contains(key)) config[key] = "";
  c.tty = boolean(o, "Tty");
  c.open_stdin = boolean(o, "OpenStdin");
  c.stdin_once = boolean(o, "StdinOnce");
  c.auto_remove = boolean(hc, "AutoRemove");
  if (str(hc, "NetworkMode").empty()) hc["NetworkMode"] = "default";
  // The SDK reads HostConfig.LogConfig.Type to decide whether logs exist.
  auto* log_config = member_object(hc, "LogConfig");
  if (!log_config || str(*log_config, "Type").empty())
    hc["LogConfig"] = json::object{{"Type", "json-file"}, {"Config", json::object()}};
  c.config = json::serialize(config);
  c.host_config = json::serialize(hc);
  return ok();
}

Result<RunSettings> run_settings(const Container& c) {
  auto config = TRY(parse_object(c.config, "Config"));
  auto hc = TRY(parse_object(c.host_config, "HostConfig"));
  RunSettings s;
  s.env = TRY(strings(config, "Env")).value_or(std::vector<std::string>{});
  s.working_dir = str(config, "WorkingDir");
  s.user = str(config, "User");
  s.hostname = str(config, "Hostname");
  s.domainname = str(config, "Domainname");
  s.stop_signal = str(config, "StopSignal");
  if (auto t = integer(config, "StopTimeout")) s.stop_timeout = static_cast<int>(*t);
  // bridge/default networking belongs to the networking service, which is
  // not wired into berthd yet: such containers get a private network
  // namespace with loopback only (docs/API.md).
  s.network_mode = str(hc, "NetworkMode") == "host" ? "host" : "none";
  auto positive = [&](std::string_view key) -> std::optional<int64_t> {
    auto v = integer(hc, key);
    return v && *v > 0 ? v : std::nullopt;
  };
  s.memory = positive("Memory");
  s.memory_swap = integer(hc, "MemorySwap");
  if (s.memory_swap && *s.memory_swap == 0) s.memory_swap.reset();
  s.pids_limit = positive("PidsLimit");
  s.cpu_shares = positive("CpuShares");
  s.cpu_quota = positive("CpuQuota");
  s.cpu_period = positive("CpuPeriod");
  if (auto nano = positive("NanoCpus")) {
    s.cpu_period = 100000;
    s.cpu_quota = *nano / 10000;  // NanoCpus * period / 1e9
  }
  s.cpuset_cpus = str(hc, "CpusetCpus");
  s.privileged = boolean(hc, "Privileged");
  s.readonly_rootfs = boolean(hc, "ReadonlyRootfs");
  s.init = boolean(hc, "Init");
  s.cap_add = TRY(strings(hc, "CapAdd")).value_or(std::vector<std::string>{});
  s.cap_drop = TRY(strings(hc, "CapDrop")).value_or(std::vector<std::string>{});
  s.group_add = TRY(strings(hc, "GroupAdd")).value_or(std::vector<std::string>{});
  if (auto* rp = member_object(hc, "RestartPolicy")) {
    s.restart_policy = str(*rp, "Name");
    s.restart_max = integer(*rp, "MaximumRetryCount").value_or(0);
  }
  return s;
}

}  // namespace berth::engine

namespace berth::engine {

Result<> derive_flags(Container& c) {
  auto config = TRY(parse_object(c.config, "Config"));
  auto hc = TRY(parse_object(c.host_config, "HostConfig"));
  c.tty = boolean(config, "Tty");
  c.open_stdin = boolean(config, "OpenStdin");
  c.stdin_once = boolean(config, "StdinOnce");
  c.auto_remove = boolean(hc, "AutoRemove");
  c.labels.clear();
  if (auto* l = member_object(config, "Labels"))
    for (const auto& [k, v] : *l)
      if (v.is_string()) c.labels[std::string(k)] = std::string(v.as_string());
  return ok();
}

}  // namespace berth::engine
