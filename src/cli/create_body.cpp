#include "cli/create_body.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "base/strings.hpp"
#include "cli/attach.hpp"
#include "cli/command.hpp"

namespace berth::cli {
namespace json = boost::json;

std::vector<Flag> create_flags() {
  std::vector<Flag> flags = {
      value_flag(0, "add-host", "list", "Add a custom host-to-IP mapping (host:ip)"),
      value_flag(0, "cap-add", "list", "Add Linux capabilities"),
      value_flag(0, "cap-drop", "list", "Drop Linux capabilities"),
      value_flag(0, "cpu-shares", "int", "CPU shares (relative weight)"),
      value_flag(0, "cpus", "decimal", "Number of CPUs"),
      value_flag(0, "dns", "list", "Set custom DNS servers"),
      value_flag('e', "env", "list", "Set environment variables"),
      value_flag(0, "env-file", "list", "Read in a file of environment variables"),
      value_flag(0, "entrypoint", "string", "Overwrite the default ENTRYPOINT of the image"),
      value_flag(0, "expose", "list", "Expose a port or a range of ports"),
      value_flag('h', "hostname", "string", "Container host name"),
      bool_flag(0, "init", "Run an init inside the container that forwards signals and reaps processes"),
      bool_flag('i', "interactive", "Keep STDIN open even if not attached"),
      value_flag(0, "ip", "string", "IPv4 address (e.g., 172.30.100.104)"),
      value_flag(0, "ip6", "string", "IPv6 address (e.g., 2001:db8::33)"),
      value_flag(0, "link-local-ip", "list", "Container IPv4/IPv6 link-local addresses"),
      value_flag('l', "label", "list", "Set meta data on a container"),
      value_flag('m', "memory", "bytes", "Memory limit"),
      value_flag(0, "name", "string", "Assign a name to the container"),
      value_flag(0, "network", "network", "Connect a container to a network"),
      value_flag(0, "network-alias", "list", "Add network-scoped alias for the container"),
      value_flag(0, "pids-limit", "int", "Tune container pids limit (set -1 for unlimited)"),
      value_flag(0, "platform", "string", "Set platform if server is multi-platform capable"),
      bool_flag(0, "privileged", "Give extended privileges to this container"),
      value_flag('p', "publish", "list", "Publish a container's port(s) to the host"),
      bool_flag('P', "publish-all", "Publish all exposed ports to random ports"),
      value_flag(0, "pull", "string", "Pull image before running (\"always\", \"missing\", \"never\")", "\"missing\""),
      bool_flag(0, "read-only", "Mount the container's root filesystem as read only"),
      value_flag(0, "restart", "string", "Restart policy to apply when a container exits", "\"no\""),
      value_flag(0, "security-opt", "list", "Security Options"),
      value_flag(0, "stop-signal", "string", "Signal to stop the container"),
      value_flag(0, "stop-timeout", "int", "Timeout (in seconds) to stop a container"),
      value_flag(0, "tmpfs", "list", "Mount a tmpfs directory"),
      bool_flag('t', "tty", "Allocate a pseudo-TTY"),
      value_flag('u', "user", "string", "Username or UID (format: <name|uid>[:<group|gid>])"),
      value_flag('v', "volume", "list", "Bind mount a volume"),
      value_flag('w', "workdir", "string", "Working directory inside the container"),
  };
  for (auto& f : create_extra_flags()) flags.push_back(std::move(f));
  std::sort(flags.begin(), flags.end(), [](const Flag& a, const Flag& b) { return a.long_name < b.long_name; });
  return flags;
}

Result<int64_t> parse_bytes(const std::string& v) {
  if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v[0])) || v[0] == '.'))
    return make_error(ErrorCategory::InvalidArgument, "invalid size: '" + v + "'");
  double num = std::atof(v.c_str());
  char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(v.back())));
  if (v.size() > 1 && (unit == 'b') ) unit = static_cast<char>(std::tolower(static_cast<unsigned char>(v[v.size() - 2])));
  double mult = unit == 'k' ? 1024.0 : unit == 'm' ? 1048576.0 : unit == 'g' ? 1073741824.0
              : unit == 't' ? 1099511627776.0 : 1.0;
  return static_cast<int64_t>(num * mult);
}

Result<json::object> restart_policy(const std::string& spec) {
  auto [policy, retries, has_retries] = split_once(spec, ':');
  return json::object{{"Name", policy == "no" ? "" : std::string(policy)},
                      {"MaximumRetryCount", has_retries ? TRY(parse_int<int>(retries)) : 0}};
}

json::array env_list(const Args& args) {
  json::array env;
  for (const auto& file : args.all("env-file")) {
    std::ifstream f(file);
    for (std::string line; std::getline(f, line);) {
      auto t = trim(line);
      if (!t.empty() && t[0] != '#') env.emplace_back(t);
    }
  }
  for (const auto& e : args.all("env")) {
    if (e.find('=') == std::string::npos) {
      // "-e NAME" passes this process's value, or drops the variable.
      if (const char* v = std::getenv(e.c_str())) env.emplace_back(e + "=" + v);
    } else {
      env.emplace_back(e);
    }
  }
  return env;
}

namespace {

// -p [ip:][hostPort:]containerPort[/proto]
Result<> add_port(const std::string& spec, json::object& exposed, json::object& bindings) {
  std::string s = spec, proto = "tcp";
  if (auto slash = s.rfind('/'); slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s = s.substr(0, slash);
  }
  std::string ip, host;
  auto last = s.rfind(':');
  std::string container = last == std::string::npos ? s : s.substr(last + 1);
  if (last != std::string::npos) {
    std::string front = s.substr(0, last);
    auto first = front.rfind(':');
    if (first == std::string::npos) {
      host = front;
    } else {
      ip = front.substr(0, first);
      host = front.substr(first + 1);
    }
    if (ip.size() > 1 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  }
  if (!parse_int<int>(container))
    return make_error(ErrorCategory::InvalidArgument, "invalid containerPort: " + container);
  std::string key = container + "/" + proto;
  exposed[key] = json::object();
  auto& list = bindings[key];
  if (!list.is_array()) list.emplace_array();
  list.get_array().push_back(json::object{{"HostIp", ip}, {"HostPort", host}});
  return ok();
}

json::value string_list(const std::vector<std::string>& v) {
  if (v.empty()) return nullptr;
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The CLI sends the terminal size with -t so the first prompt fits.
void body_console_size(json::object& host, int h, int w) {
  host["ConsoleSize"] = json::array{h, w};
}

}  // namespace

Result<json::value> build_create_body(const Args& args) {
  bool tty = flag_true(args, "tty"), interactive = flag_true(args, "interactive");
  bool detach = flag_true(args, "detach");
  std::vector<std::string> cmd(args.positional.begin() + 1, args.positional.end());
  json::object exposed, bindings;
  for (const auto& p : args.all("publish")) TRY(add_port(p, exposed, bindings));
  for (const auto& e : args.all("expose"))
    exposed[e.find('/') == std::string::npos ? e + "/tcp" : e] = json::object();
  json::object labels;
  std::vector<std::string> label_list;
  for (const auto& file : args.all("label-file")) {
    std::ifstream f(file);
    if (!f) return sys_error("open " + file);
    for (std::string line; std::getline(f, line);) {
      auto t = trim(line);
      if (!t.empty() && t[0] != '#') label_list.emplace_back(t);
    }
  }
  label_list.insert(label_list.end(), args.all("label").begin(), args.all("label").end());
  for (const auto& l : label_list) {
    auto [k, v, found] = split_once(l, '=');
    (void)found;
    labels[std::string(k)] = std::string(v);
  }
  json::object config{
      {"Hostname", args.get("hostname")}, {"Domainname", ""}, {"User", args.get("user")},
      {"AttachStdin", interactive && !detach}, {"AttachStdout", !detach}, {"AttachStderr", !detach},
      {"ExposedPorts", exposed}, {"Tty", tty}, {"OpenStdin", interactive},
      {"StdinOnce", interactive && !detach}, {"Env", env_list(args)}, {"Cmd", string_list(cmd)},
      {"Image", args.positional[0]}, {"Volumes", nullptr}, {"WorkingDir", args.get("workdir")},
      {"Entrypoint", args.has("entrypoint") ? string_list({args.get("entrypoint")}) : json::value(nullptr)},
      {"OnBuild", nullptr}, {"Labels", labels}};
  if (args.has("stop-signal")) config["StopSignal"] = args.get("stop-signal");
  if (args.has("stop-timeout")) config["StopTimeout"] = TRY(parse_int<int>(args.get("stop-timeout")));
  std::string network = args.get("network", "default");
  json::object host{
      {"Binds", string_list(args.all("volume"))}, {"NetworkMode", network}, {"PortBindings", bindings},
      {"RestartPolicy", TRY(restart_policy(args.get("restart", "no")))}, {"AutoRemove", flag_true(args, "rm")},
      {"CapAdd", string_list(args.all("cap-add"))}, {"CapDrop", string_list(args.all("cap-drop"))},
      {"Dns", json::array()}, {"ExtraHosts", string_list(args.all("add-host"))},
      {"Privileged", flag_true(args, "privileged")}, {"PublishAllPorts", flag_true(args, "publish-all")},
      {"ReadonlyRootfs", flag_true(args, "read-only")},
      {"SecurityOpt", string_list(args.all("security-opt"))}};
  int h = 0, w = 0;
  if (tty && terminal_size(h, w)) body_console_size(host, h, w);
  for (const auto& d : args.all("dns")) host["Dns"].get_array().emplace_back(d);
  if (flag_true(args, "init")) host["Init"] = true;
  if (args.has("memory")) {
    auto bytes = parse_bytes(args.get("memory"));
    if (!bytes) return Unexpected(flag_value_error("-m, --memory", args.get("memory"), bytes.error().message()));
    host["Memory"] = *bytes;
  }
  if (args.has("cpu-shares")) host["CpuShares"] = TRY(parse_int<int64_t>(args.get("cpu-shares")));
  if (args.has("cpus")) host["NanoCpus"] = static_cast<int64_t>(std::atof(args.get("cpus").c_str()) * 1e9);
  if (args.has("pids-limit")) host["PidsLimit"] = TRY(parse_int<int64_t>(args.get("pids-limit")));
  if (args.has("tmpfs")) {
    json::object tmpfs;
    for (const auto& t : args.all("tmpfs")) {
      auto [path, opts, found] = split_once(t, ':');
      (void)found;
      tmpfs[std::string(path)] = std::string(opts);
    }
    host["Tmpfs"] = tmpfs;
  }
  TRY(add_extra_options(args, config, host));
  json::object endpoint;
  if (args.has("network-alias")) endpoint["Aliases"] = string_list(args.all("network-alias"));
  if (args.has("ip") || args.has("ip6") || args.has("link-local-ip")) {
    json::object ipam{{"IPv4Address", args.get("ip")}, {"IPv6Address", args.get("ip6")}};
    if (args.has("link-local-ip")) ipam["LinkLocalIPs"] = string_list(args.all("link-local-ip"));
    endpoint["IPAMConfig"] = std::move(ipam);
  }
  json::object body = config;
  body["HostConfig"] = host;
  body["NetworkingConfig"] = json::object{{"EndpointsConfig", json::object{{network, endpoint}}}};
  return body;
}

}  // namespace berth::cli
