#include "oci/image_config.hpp"

#include <ctime>

#include "oci/image_json_util.hpp"
#include "oci/image_manifest.hpp"

namespace berth::oci {

using namespace detail;

namespace {

Result<ContainerConfig> parse_container_config(const json::object& o) {
  ContainerConfig c;
  c.user = TRY(get_string(o, "User"));
  c.exposed_ports = TRY(get_key_set(o, "ExposedPorts"));
  c.env = TRY(get_string_list(o, "Env")).value_or(std::vector<std::string>{});
  c.entrypoint = TRY(get_string_list(o, "Entrypoint"));
  c.cmd = TRY(get_string_list(o, "Cmd"));
  c.volumes = TRY(get_key_set(o, "Volumes"));
  c.working_dir = TRY(get_string(o, "WorkingDir"));
  c.labels = TRY(get_string_map(o, "Labels"));
  c.stop_signal = TRY(get_string(o, "StopSignal"));
  c.on_build = TRY(get_string_list(o, "OnBuild")).value_or(std::vector<std::string>{});
  return c;
}

Result<HistoryEntry> parse_history(const json::value& v) {
  auto* o = TRY(as_object(v, "history entry"));
  HistoryEntry h;
  h.created = TRY(get_string(*o, "created"));
  h.created_by = TRY(get_string(*o, "created_by"));
  h.author = TRY(get_string(*o, "author"));
  h.comment = TRY(get_string(*o, "comment"));
  h.empty_layer = TRY(get_bool(*o, "empty_layer"));
  return h;
}

// Writes a string field, or removes it when empty, so an edit does not
// add `"User": ""` noise that the original did not have.
void put(json::object& o, std::string_view key, const std::string& value) {
  if (value.empty()) o.erase(key);
  else o[key] = value;
}

void put_list(json::object& o, std::string_view key, const std::optional<std::vector<std::string>>& v) {
  if (!v) o.erase(key);
  else o[key] = to_array(*v);
}

json::object container_config_json(const ContainerConfig& c, json::object o) {
  put(o, "User", c.user);
  if (c.exposed_ports.empty()) o.erase("ExposedPorts");
  else o["ExposedPorts"] = to_key_set(c.exposed_ports);
  if (c.env.empty()) o.erase("Env");
  else o["Env"] = to_array(c.env);
  put_list(o, "Entrypoint", c.entrypoint);
  put_list(o, "Cmd", c.cmd);
  if (c.volumes.empty()) o.erase("Volumes");
  else o["Volumes"] = to_key_set(c.volumes);
  put(o, "WorkingDir", c.working_dir);
  if (c.labels.empty()) o.erase("Labels");
  else o["Labels"] = to_object(c.labels);
  put(o, "StopSignal", c.stop_signal);
  if (c.on_build.empty()) o.erase("OnBuild");
  else o["OnBuild"] = to_array(c.on_build);
  return o;
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string_view bytes) {
  auto value = TRY(parse_json(bytes));
  auto* o = TRY(as_object(value, "image config"));
  ImageConfig c;
  c.created = TRY(get_string(*o, "created"));
  c.author = TRY(get_string(*o, "author"));
  c.architecture = TRY(get_string(*o, "architecture"));
  c.os = TRY(get_string(*o, "os"));
  c.variant = TRY(get_string(*o, "variant"));
  if (auto* cc = o->if_contains("config"); cc && !cc->is_null())
    c.config = TRY_CTX(parse_container_config(*TRY(as_object(*cc, "config"))), "config");
  if (auto* rootfs = o->if_contains("rootfs"); rootfs && !rootfs->is_null()) {
    auto* r = TRY(as_object(*rootfs, "rootfs"));
    c.rootfs_type = TRY(get_string(*r, "type"));
    c.diff_ids = TRY(get_string_list(*r, "diff_ids")).value_or(std::vector<std::string>{});
    for (const auto& d : c.diff_ids) TRY_CTX(validate_digest(d), "rootfs.diff_ids");
  }
  if (auto* hist = o->if_contains("history"); hist && !hist->is_null()) {
    if (!hist->is_array())
      return make_error(ErrorCategory::InvalidArgument, "field \"history\" is not an array");
    for (const auto& h : hist->get_array()) c.history.push_back(TRY(parse_history(h)));
  }
  c.raw = *o;
  return c;
}

std::string to_json(const ImageConfig& c) {
  json::object o = c.raw;
  put(o, "created", c.created);
  put(o, "author", c.author);
  o["architecture"] = c.architecture;
  o["os"] = c.os;
  put(o, "variant", c.variant);
  json::object base;
  if (auto* cc = c.raw.if_contains("config"); cc && cc->is_object()) base = cc->get_object();
  o["config"] = container_config_json(c.config, std::move(base));
  json::object rootfs;
  rootfs["type"] = c.rootfs_type;
  rootfs["diff_ids"] = to_array(c.diff_ids);
  o["rootfs"] = std::move(rootfs);
  json::array hist;
  for (const auto& h : c.history) {
    json::object e;
    put(e, "created", h.created);
    put(e, "created_by", h.created_by);
    put(e, "author", h.author);
    put(e, "comment", h.comment);
    if (h.empty_layer) e["empty_layer"] = true;
    hist.emplace_back(std::move(e));
  }
  if (hist.empty()) o.erase("history");
  else o["history"] = std::move(hist);
  return json::serialize(o);
}

void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value) {
  std::string entry = std::string(key) + "=" + std::string(value);
  for (auto& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

std::string rfc3339_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

}  // namespace berth::oci
