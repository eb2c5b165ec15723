#include "flags.hpp"

#include <CLI/CLI.hpp>

namespace berth::berthd {
namespace {

struct FlagValues {
  std::string data_root, exec_root, group, pidfile, log_level, log_format, bridge, bip,
      storage_driver, cgroup_driver, default_runtime;
  std::vector<std::string> hosts, mirrors, insecure, labels;
  int64_t api_threads = 0, shutdown_timeout = 0;
  bool debug = false;
};

void add_string(engine::ConfigLayer& layer, CLI::Option* opt, const char* key, const std::string& v) {
  if (opt->count() > 0) layer.values[key] = v;
}
void add_list(engine::ConfigLayer& layer, CLI::Option* opt, const char* key,
              const std::vector<std::string>& v) {
  if (opt->count() > 0) layer.values[key] = v;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv, int& exit_code) {
  CLI::App app{"berthd: the berth container engine daemon (Docker Engine API)"};
  CommandLine cl;
  FlagValues v;
  std::string config_file;
  auto* config = app.add_option("--config-file,--config", config_file, "daemon config file (TOML)");
  struct S { const char* flag; const char* key; std::string* value; const char* help; };
  std::vector<std::pair<CLI::Option*, S>> strings;
  for (S s : {S{"--data-root", "data-root", &v.data_root, "root of persistent state"},
              S{"--exec-root", "exec-root", &v.exec_root, "root of runtime state"},
              S{"-G,--group", "group", &v.group, "group owning the unix sockets"},
              S{"-p,--pidfile", "pidfile", &v.pidfile, "path of the pid file"},
              S{"-l,--log-level", "log-level", &v.log_level, "trace|debug|info|warn|error"},
              S{"--log-format", "log-format", &v.log_format, "text|json"},
              S{"-b,--bridge", "bridge", &v.bridge, "default bridge (\"none\" disables it)"},
              S{"--bip", "bip", &v.bip, "address of the default bridge (CIDR)"},
              S{"-s,--storage-driver", "storage-driver", &v.storage_driver, "snapshotter"},
              S{"--cgroup-driver", "cgroup-driver", &v.cgroup_driver, "cgroupfs"},
              S{"--default-runtime", "default-runtime", &v.default_runtime, "OCI runtime"}})
    strings.emplace_back(app.add_option(s.flag, *s.value, s.help), s);
  auto* hosts = app.add_option("-H,--host", v.hosts, "listener: unix:///path or tcp://host:port");
  auto* mirrors = app.add_option("--registry-mirror", v.mirrors, "registry mirror URL");
  auto* insecure = app.add_option("--insecure-registry", v.insecure, "registry reachable without TLS");
  auto* labels = app.add_option("--label", v.labels, "daemon label key=value");
  auto* threads = app.add_option("--api-threads", v.api_threads, "API threads (0 = automatic)");
  auto* grace = app.add_option("--shutdown-timeout", v.shutdown_timeout,
                               "seconds to finish requests on SIGTERM");
  auto* debug = app.add_flag("-D,--debug", v.debug, "debug mode");
  app.add_flag("-v,--version", cl.show_version, "print the version and exit");
  app.add_flag("--validate", cl.validate_only, "validate the configuration and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return make_error(ErrorCategory::InvalidArgument, "command line");
  }
  cl.flags.source = "flags";
  for (auto& [opt, s] : strings) add_string(cl.flags, opt, s.key, *s.value);
  add_list(cl.flags, hosts, "hosts", v.hosts);
  add_list(cl.flags, mirrors, "registry-mirrors", v.mirrors);
  add_list(cl.flags, insecure, "insecure-registries", v.insecure);
  add_list(cl.flags, labels, "labels", v.labels);
  if (threads->count() > 0) cl.flags.values["api-threads"] = v.api_threads;
  if (grace->count() > 0) cl.flags.values["shutdown-timeout"] = v.shutdown_timeout;
  if (debug->count() > 0) cl.flags.values["debug"] = true;
  if (config->count() > 0) cl.config_file = config_file;
  return cl;
}

}  // namespace berth::berthd
