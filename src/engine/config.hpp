// berthd's configuration: built-in defaults, TOML files and command-line
// flags, layered key by key. Keys use dockerd's names (data-root, hosts,
// pidfile, log-level, bridge, bip, registry-mirrors, insecure-registries,
// ...) so every key is also a flag spelled like dockerd's.
//
// Precedence, highest first: flags; then the --config file if one is given,
// otherwise /etc/berth/berthd.toml and then ~/.config/berth/berthd.toml;
// then the defaults below. "${NAME}" in a string value expands to the
// environment variable NAME (an unset variable is an error).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace berth::engine {

struct DaemonConfig {
  std::string data_root = "/var/lib/berth";
  std::string exec_root = "/run/berth";
  std::vector<std::string> hosts = {"unix:///run/berth/berth.sock"};
  std::string group = "berth";  // group owning unix sockets, if it exists
  std::string pidfile = "/run/berth/berthd.pid";
  std::string log_level = "info";
  std::string log_format = "text";
  bool debug = false;
  std::string bridge;  // default network bridge; "none" disables it
  std::string bip;     // the bridge's address, CIDR
  std::vector<std::string> registry_mirrors;
  std::vector<std::string> insecure_registries;  // 127.0.0.0/8 is always added
  std::string storage_driver = "overlayfs";
  std::string cgroup_driver = "cgroupfs";
  std::string default_runtime = "berth";
  std::vector<std::string> labels;
  int64_t api_threads = 0;  // 0 = chosen from the CPU count
  int64_t shutdown_timeout = 15;  // seconds to finish in-flight requests

  // Files that contributed, highest precedence first (for the startup log).
  std::vector<std::string> sources;
};

using ConfigValue = std::variant<std::string, std::vector<std::string>, int64_t, bool>;

struct ConfigLayer {
  std::string source;  // a file path, "flags"
  std::map<std::string, ConfigValue> values;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_env();

// Parses TOML text into a layer; unknown keys and wrong types are errors
// that name the file and key.
Result<ConfigLayer> parse_config_toml(std::string_view text, const std::string& source);
// NotFound when the file does not exist.
Result<ConfigLayer> load_config_file(const std::string& path);

// Merges layers (highest precedence first) over the defaults.
Result<DaemonConfig> resolve_config(const std::vector<ConfigLayer>& layers, const EnvLookup& env);

// The whole lookup: flags, then `config_file` or the search path, then
// defaults. `home` is $HOME (may be empty).
Result<DaemonConfig> load_daemon_config(const ConfigLayer& flags,
                                        const std::optional<std::string>& config_file,
                                        const std::string& home, const EnvLookup& env);

std::vector<std::string> default_config_paths(const std::string& home);

// "${HOME}/x" -> "/root/x".
Result<std::string> expand_env(std::string_view text, const EnvLookup& env);

// The known keys, for `berthd --help`-style listings and validation.
std::vector<std::string> config_keys();

}  // namespace berth::engine
