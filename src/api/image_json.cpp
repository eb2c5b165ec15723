#include "api/image_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "api/version.hpp"

namespace berth::api {
namespace json = boost::json;
namespace {

json::value string_array(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& i : items) a.emplace_back(i);
  return a;
}

json::value labels_json(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return nullptr;
  json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return o;
}

}  // namespace

bool api_below(std::string_view version, std::string_view than) {
  return compare_versions(version, than) < 0;
}

json::value image_summary_json(const engine::ImageSummary& s, std::string_view version) {
  json::object o;
  o["Containers"] = s.containers;
  o["Created"] = s.created;
  o["Id"] = s.id;
  o["Labels"] = labels_json(s.labels);
  o["ParentId"] = s.parent_id;
  bool none = s.repo_tags.empty() && s.repo_digests.empty() && api_below(version, "1.43");
  o["RepoDigests"] = none ? json::value(json::array{"<none>@<none>"}) : string_array(s.repo_digests);
  o["RepoTags"] = none ? json::value(json::array{"<none>:<none>"}) : string_array(s.repo_tags);
  o["SharedSize"] = -1;
  o["Size"] = s.size;
  if (api_below(version, "1.44")) o["VirtualSize"] = s.size;
  return o;
}

namespace {

// Go writes a map's keys sorted.
void sort_keys(json::value& v) {
  auto* m = v.if_object();
  if (!m || m->size() < 2) return;
  std::vector<std::pair<std::string, json::value>> items;
  for (const auto& [k, x] : *m) items.emplace_back(std::string(k), x);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object sorted;
  for (auto& [k, x] : items) sorted[k] = std::move(x);
  *m = std::move(sorted);
}

// HealthConfig: its fields in Go's order, each left out when zero.
json::object health_config_json(const json::object& raw) {
  json::object o;
  for (const char* key : {"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"}) {
    const json::value* v = raw.if_contains(key);
    if (!v || v->is_null() || (v->is_array() && v->as_array().empty()) ||
        (v->is_number() && v->to_number<double>() == 0))
      continue;
    o[key] = *v;
  }
  return o;
}

}  // namespace

json::value container_config_json(const json::object& raw) {
  struct Field {
    const char* name;
    json::value fallback;
    bool omit_empty;
  };
  // dockerd's container.Config, field by field.
  const Field fields[] = {
      {"Hostname", "", false},      {"Domainname", "", false},    {"User", "", false},
      {"AttachStdin", false, false}, {"AttachStdout", false, false}, {"AttachStderr", false, false},
      {"ExposedPorts", nullptr, true}, {"Tty", false, false},     {"OpenStdin", false, false},
      {"StdinOnce", false, false},  {"Env", nullptr, false},      {"Cmd", nullptr, false},
      {"Healthcheck", nullptr, true}, {"ArgsEscaped", nullptr, true}, {"Image", "", false},
      {"Volumes", nullptr, false},  {"WorkingDir", "", false},    {"Entrypoint", nullptr, false},
      {"NetworkDisabled", nullptr, true}, {"MacAddress", nullptr, true}, {"OnBuild", nullptr, false},
      {"Labels", nullptr, false},   {"StopSignal", nullptr, true}, {"StopTimeout", nullptr, true},
      {"Shell", nullptr, true},
  };
  json::object o;
  for (const auto& f : fields) {
    const json::value* v = raw.if_contains(f.name);
    bool empty = !v || v->is_null() || (v->is_bool() && !v->as_bool()) ||
                 (v->is_string() && v->as_string().empty()) ||
                 (v->is_object() && v->as_object().empty()) || (v->is_array() && v->as_array().empty());
    std::string_view name = f.name;
    if (name == "Healthcheck") {  // a pointer in Go: {} stays
      if (v && v->is_object()) o[name] = health_config_json(v->as_object());
      continue;
    }
    if (f.omit_empty && empty) continue;
    // dockerd answers null for a container without volumes, never {}.
    if (name == "Volumes" && empty) {
      o[name] = nullptr;
      continue;
    }
    o[name] = v ? *v : f.fallback;
    if (name == "ExposedPorts" || name == "Volumes" || name == "Labels") sort_keys(o[name]);
  }
  return o;
}

json::value image_inspect_json(const engine::ImageDetails& d, std::string_view version) {
  const auto& s = d.summary;
  json::object o;
  o["Id"] = s.id;
  o["RepoTags"] = string_array(s.repo_tags);
  o["RepoDigests"] = string_array(s.repo_digests);
  o["Parent"] = s.parent_id;
  o["Comment"] = d.comment;
  o["Created"] = d.created;
  if (api_below(version, "1.45")) {
    o["Container"] = d.container;
    o["ContainerConfig"] = d.container_config ? container_config_json(*d.container_config)
                                              : container_config_json({});
  }
  o["DockerVersion"] = d.docker_version;
  o["Author"] = d.author;
  o["Config"] = d.config ? container_config_json(*d.config) : json::value(nullptr);
  o["Architecture"] = d.architecture;
  if (!d.variant.empty()) o["Variant"] = d.variant;
  o["Os"] = d.os;
  if (!d.os_version.empty()) o["OsVersion"] = d.os_version;
  o["Size"] = s.size;
  if (api_below(version, "1.44")) o["VirtualSize"] = s.size;
  o["GraphDriver"] = json::object{{"Data", nullptr}, {"Name", d.graph_driver}};
  o["RootFS"] = json::object{{"Type", d.rootfs_type}, {"Layers", string_array(d.diff_ids)}};
  o["Metadata"] = json::object{{"LastTagTime", "0001-01-01T00:00:00Z"}};
  return o;
}

json::value image_history_json(const std::vector<engine::ImageHistoryItem>& items) {
  json::array a;
  for (const auto& i : items) {
    a.emplace_back(json::object{{"Comment", i.comment},
                                {"Created", i.created},
                                {"CreatedBy", i.created_by},
                                {"Id", i.id},
                                {"Size", i.size},
                                {"Tags", i.tags.empty() ? json::value(nullptr) : string_array(i.tags)}});
  }
  return a;
}

json::value image_delete_json(const std::vector<engine::ImageDeleted>& items) {
  json::array a;
  for (const auto& i : items) {
    if (!i.untagged.empty()) a.emplace_back(json::object{{"Untagged", i.untagged}});
    if (!i.deleted.empty()) a.emplace_back(json::object{{"Deleted", i.deleted}});
  }
  return a;
}

json::value image_prune_json(const engine::ImagePruneReport& report) {
  json::value deleted = nullptr;
  if (!report.deleted.empty()) deleted = image_delete_json(report.deleted);
  return json::object{{"ImagesDeleted", deleted}, {"SpaceReclaimed", report.space_reclaimed}};
}

}  // namespace berth::api
