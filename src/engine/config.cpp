#include "engine/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <toml++/toml.h>

#include "base/file.hpp"
#include "base/log.hpp"

namespace berth::engine {
namespace {

using Setter = std::function<Result<>(DaemonConfig&, const ConfigValue&, const EnvLookup&)>;

struct Key {
  const char* name;
  Setter set;
};

Unexpected type_error(const std::string& want) {
  return make_error(ErrorCategory::InvalidArgument, "expected " + want);
}

Setter string_key(std::string DaemonConfig::*field) {
  return [field](DaemonConfig& c, const ConfigValue& v, const EnvLookup& env) -> Result<> {
    auto* s = std::get_if<std::string>(&v);
    if (!s) return type_error("a string");
    c.*field = TRY(expand_env(*s, env));
    return ok();
  };
}

Setter list_key(std::vector<std::string> DaemonConfig::*field) {
  return [field](DaemonConfig& c, const ConfigValue& v, const EnvLookup& env) -> Result<> {
    auto* list = std::get_if<std::vector<std::string>>(&v);
    if (!list) return type_error("a list of strings");
    (c.*field).clear();
    for (const auto& item : *list) (c.*field).push_back(TRY(expand_env(item, env)));
    return ok();
  };
}

Setter int_key(int64_t DaemonConfig::*field, int64_t min, int64_t max) {
  return [=](DaemonConfig& c, const ConfigValue& v, const EnvLookup&) -> Result<> {
    auto* n = std::get_if<int64_t>(&v);
    if (!n) return type_error("an integer");
    if (*n < min || *n > max)
      return make_error(ErrorCategory::InvalidArgument,
                        "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    c.*field = *n;
    return ok();
  };
}

Setter bool_key(bool DaemonConfig::*field) {
  return [field](DaemonConfig& c, const ConfigValue& v, const EnvLookup&) -> Result<> {
    auto* b = std::get_if<bool>(&v);
    if (!b) return type_error("a boolean");
    c.*field = *b;
    return ok();
  };
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table = {
      {"data-root", string_key(&DaemonConfig::data_root)},
      {"exec-root", string_key(&DaemonConfig::exec_root)},
      {"hosts", list_key(&DaemonConfig::hosts)},
      {"group", string_key(&DaemonConfig::group)},
      {"pidfile", string_key(&DaemonConfig::pidfile)},
      {"log-level", string_key(&DaemonConfig::log_level)},
      {"log-format", string_key(&DaemonConfig::log_format)},
      {"debug", bool_key(&DaemonConfig::debug)},
      {"bridge", string_key(&DaemonConfig::bridge)},
      {"bip", string_key(&DaemonConfig::bip)},
      {"registry-mirrors", list_key(&DaemonConfig::registry_mirrors)},
      {"insecure-registries", list_key(&DaemonConfig::insecure_registries)},
      {"storage-driver", string_key(&DaemonConfig::storage_driver)},
      {"cgroup-driver", string_key(&DaemonConfig::cgroup_driver)},
      {"default-runtime", string_key(&DaemonConfig::default_runtime)},
      {"labels", list_key(&DaemonConfig::labels)},
      {"api-threads", int_key(&DaemonConfig::api_threads, 0, 256)},
      {"shutdown-timeout", int_key(&DaemonConfig::shutdown_timeout, 0, 3600)},
  };
  return table;
}

const Key* find_key(std::string_view name) {
  for (const auto& k : keys())
    if (name == k.name) return &k;
  return nullptr;
}

Result<ConfigValue> from_toml(const toml::node& node) {
  if (auto s = node.as_string()) return ConfigValue(s->get());
  if (auto i = node.as_integer()) return ConfigValue(i->get());
  if (auto b = node.as_boolean()) return ConfigValue(b->get());
  if (auto arr = node.as_array()) {
    std::vector<std::string> out;
    for (const auto& item : *arr) {
      auto s = item.as_string();
      if (!s) return type_error("a list of strings");
      out.push_back(s->get());
    }
    return ConfigValue(std::move(out));
  }
  return type_error("a string, integer, boolean or list of strings");
}

// A mirror is an http(s) base URL without query, fragment or user info,
// kept with one trailing slash as dockerd reports it in /info.
Result<std::string> normalise_mirror(const std::string& url) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCategory::InvalidArgument, "invalid mirror: " + why + " in \"" + url + "\"");
  };
  auto scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return fail("unsupported scheme \"" + scheme + "\"");
  std::string rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest[0] == '/') return fail("no host");
  if (rest.find_first_of("?#") != std::string::npos) return fail("query or fragment");
  if (rest.substr(0, rest.find('/')).find('@') != std::string::npos) return fail("user info");
  std::string out = url;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + "/";
}

Result<> validate(const DaemonConfig& c) {
  TRY_CTX(log::parse_level(c.log_level), "log-level");
  TRY_CTX(log::parse_format(c.log_format), "log-format");
  if (c.hosts.empty()) return make_error(ErrorCategory::InvalidArgument, "hosts: no listener");
  for (const auto* dir : {&c.data_root, &c.exec_root})
    if (dir->empty() || dir->front() != '/')
      return make_error(ErrorCategory::InvalidArgument,
                        "data-root and exec-root must be absolute paths, got \"" + *dir + "\"");
  return ok();
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> expand_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string_view::npos) break;
    size_t end = text.find('}', start + 2);
    if (end == std::string_view::npos)
      return make_error(ErrorCategory::InvalidArgument, "unterminated ${ in \"" +
                                                            std::string(text) + "\"");
    out.append(text.substr(i, start - i));
    auto name = text.substr(start + 2, end - start - 2);
    auto value = env(name);
    if (!value)
      return make_error(ErrorCategory::InvalidArgument,
                        "environment variable " + std::string(name) + " is not set");
    out += *value;
    i = end + 1;
  }
  out.append(text.substr(i));
  return out;
}

Result<ConfigLayer> parse_config_toml(std::string_view text, const std::string& source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return make_error(ErrorCategory::InvalidArgument,
                      "config " + source + ":" + std::to_string(where.line) + ":" +
                          std::to_string(where.column) + ": " + std::string(e.description()));
  }
  ConfigLayer layer{source, {}};
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    if (!find_key(name))
      return make_error(ErrorCategory::InvalidArgument,
                        "config " + source + ": unknown key \"" + name + "\"");
    layer.values[name] = TRY_CTX(from_toml(node), "config " + source + ": key \"" + name + "\"");
  }
  return layer;
}

Result<ConfigLayer> load_config_file(const std::string& path) {
  auto text = TRY_CTX(read_file(path, 1 << 20), "read config " + path);
  return parse_config_toml(text, path);
}

Result<DaemonConfig> resolve_config(const std::vector<ConfigLayer>& layers, const EnvLookup& env) {
  DaemonConfig config;
  for (const auto& layer : layers) {
    for (const auto& [name, value] : layer.values)
      if (!find_key(name))
        return make_error(ErrorCategory::InvalidArgument,
                          layer.source + ": unknown key \"" + name + "\"");
    if (layer.source != "flags") config.sources.push_back(layer.source);
  }
  for (const auto& key : keys()) {
    for (const auto& layer : layers) {
      auto it = layer.values.find(key.name);
      if (it == layer.values.end()) continue;
      TRY_CTX(key.set(config, it->second, env), layer.source + ": " + key.name);
      break;  // the highest layer that sets a key wins
    }
  }
  TRY_CTX(validate(config), "config");
  for (auto& mirror : config.registry_mirrors) mirror = TRY_CTX(normalise_mirror(mirror), "config");
  // As in dockerd, registries on loopback never need TLS, whatever the
  // configured list says (local test registries rely on it).
  auto& insecure = config.insecure_registries;
  if (std::find(insecure.begin(), insecure.end(), "127.0.0.0/8") == insecure.end())
    insecure.insert(insecure.begin(), "127.0.0.0/8");
  return config;
}

std::vector<std::string> default_config_paths(const std::string& home) {
  std::vector<std::string> paths = {"/etc/berth/berthd.toml"};
  if (!home.empty()) paths.push_back(home + "/.config/berth/berthd.toml");
  return paths;
}

Result<DaemonConfig> load_daemon_config(const ConfigLayer& flags,
                                        const std::optional<std::string>& config_file,
                                        const std::string& home, const EnvLookup& env) {
  std::vector<ConfigLayer> layers = {flags};
  if (config_file) {
    layers.push_back(TRY(load_config_file(*config_file)));
  } else {
    for (const auto& path : default_config_paths(home)) {
      auto layer = load_config_file(path);
      if (layer) {
        layers.push_back(std::move(*layer));
      } else if (!layer.error().is(ErrorCategory::NotFound)) {
        return tl::unexpected(std::move(layer).error());
      }
    }
  }
  return resolve_config(layers, env);
}

std::vector<std::string> config_keys() {
  std::vector<std::string> out;
  for (const auto& k : keys()) out.emplace_back(k.name);
  return out;
}

}  // namespace berth::engine
