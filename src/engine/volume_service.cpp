// LocalVolumeService: volume rows, the local driver's directories, and
// the API operations. The container hooks are in container_volumes.cpp.
#include "engine/volume_service.hpp"

#include <sys/stat.h>

#include <boost/json.hpp>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "net/model.hpp"
#include "oci/image_config.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

const std::vector<store::Migration> kMigrations = {
    {1, R"sql(
CREATE TABLE volumes (
  name TEXT PRIMARY KEY,
  driver TEXT NOT NULL,
  created TEXT NOT NULL,
  labels TEXT NOT NULL,
  options TEXT NOT NULL,
  anonymous INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE volume_refs (
  volume TEXT NOT NULL REFERENCES volumes(name),
  container TEXT NOT NULL,
  PRIMARY KEY (volume, container)
);
CREATE INDEX volume_refs_container ON volume_refs(container);
)sql"},
};

using StrMap = std::optional<std::map<std::string, std::string>>;

std::string map_json(const StrMap& m) {
  if (!m) return "null";
  json::object o;
  for (const auto& [k, v] : *m) o[k] = v;
  return json::serialize(o);
}

StrMap map_from(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [k, x] : v.as_object())
    if (x.is_string()) out[std::string(k)] = std::string(x.as_string());
  return out;
}

// dockerd shows volume times in seconds, UTC.
std::string created_now() {
  std::string t = oci::rfc3339_now();
  auto dot = t.find('.');
  return dot == std::string::npos ? t : t.substr(0, dot) + "Z";
}

Unexpected no_such(const std::string& name) {
  return make_error(ErrorCategory::NotFound, "get " + name + ": no such volume");
}

}  // namespace

Result<std::unique_ptr<LocalVolumeService>> LocalVolumeService::open(std::shared_ptr<store::Db> db,
                                                                     const std::string& data_root) {
  std::unique_ptr<LocalVolumeService> s(new LocalVolumeService(std::move(db), data_root + "/volumes"));
  TRY(make_dirs(s->root_, 0701));
  TRY(s->db_->migrate("volumes", kMigrations));
  auto has_containers = TRY(s->db_->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'containers'"));
  if (TRY(has_containers.step()))
    TRY(s->db_->exec("DELETE FROM volume_refs WHERE container NOT IN (SELECT id FROM containers)"));
  return s;
}

void LocalVolumeService::publish(const std::string& action, const std::string& name,
                                 std::map<std::string, std::string> attrs) {
  if (!events_) return;
  attrs.emplace("driver", "local");
  events_->publish({"volume", action, name, std::move(attrs), "local", 0});
}

Result<Volume> LocalVolumeService::fill(Volume v) const {
  v.mountpoint = data_dir(v.name);
  auto st = TRY(db_->prepare("SELECT container FROM volume_refs WHERE volume = ? ORDER BY container"));
  st.bind_all(v.name);
  while (TRY(st.step())) v.users.push_back(st.text(0));
  return v;
}

Result<Volume> LocalVolumeService::inspect(const std::string& name) {
  auto st = TRY(db_->prepare("SELECT driver, created, labels, options, anonymous FROM volumes WHERE name = ?"));
  st.bind_all(name);
  if (!TRY(st.step())) return no_such(name);
  Volume v;
  v.name = name;
  v.driver = st.text(0);
  v.created_at = st.text(1);
  v.labels = map_from(st.text(2));
  v.options = map_from(st.text(3));
  v.anonymous = st.integer(4) != 0;
  return fill(std::move(v));
}

Result<Volume> LocalVolumeService::create(const VolumeCreate& request) {
  std::lock_guard lock(mu_);
  return create_locked(request, false);
}

Result<Volume> LocalVolumeService::create_locked(const VolumeCreate& request, bool anonymous) {
  VolumeCreate r = request;
  if (r.name.empty()) r.name = net::random_id();
  if (r.driver.empty()) r.driver = "local";
  // dockerd shows "no labels/options" as null, whether {} or nothing came.
  if (r.labels && r.labels->empty()) r.labels.reset();
  if (r.options && r.options->empty()) r.options.reset();
  if (r.driver != "local")
    return make_error(ErrorCategory::NotFound, "error looking up volume plugin " + r.driver +
                                                   ": plugin \"" + r.driver + "\" not found");
  TRY(validate_volume_name(r.name));
  if (auto existing = inspect(r.name)) return existing;
  // The local driver's options (type/device/o) would mount a file system
  // at first use; berthd does not mount them yet, so refuse rather than
  // hand out a plain directory in their place.
  if (r.options && !r.options->empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "create " + r.name + ": local volume driver options are not supported by berthd yet");
  if (anonymous) {
    if (!r.labels) r.labels.emplace();
    (*r.labels)[kAnonymousVolumeLabel] = "";
  }
  std::string dir = root_ + "/" + r.name;
  TRY(make_dirs(dir, 0701));
  auto undo = ScopeGuard([&] { (void)snapshot::remove_tree(dir); });
  if (::mkdir(data_dir(r.name).c_str(), 0755) != 0 && errno != EEXIST) return sys_error("create " + r.name);
  Volume v;
  v.name = r.name;
  v.driver = r.driver;
  v.created_at = created_now();
  v.labels = r.labels;
  v.options = r.options;
  v.anonymous = anonymous;
  auto st = TRY(db_->prepare(
      "INSERT INTO volumes (name, driver, created, labels, options, anonymous) VALUES (?,?,?,?,?,?)"));
  st.bind_all(v.name, v.driver, v.created_at, map_json(v.labels), map_json(v.options), anonymous ? 1 : 0);
  TRY(st.run());
  undo.dismiss();
  publish("create", v.name);
  return fill(std::move(v));
}

Result<std::vector<Volume>> LocalVolumeService::list(const Filters& filters) {
  TRY(filters.validate({"dangling", "name", "label", "label!", "driver"}));
  std::vector<std::string> names;
  {
    auto st = TRY(db_->prepare("SELECT name FROM volumes ORDER BY name"));
    while (TRY(st.step())) names.push_back(st.text(0));
  }
  std::vector<Volume> out;
  for (const auto& name : names) {
    auto v = inspect(name);
    if (!v) continue;  // removed meanwhile
    if (filters.contains("dangling")) {
      bool want = false;
      for (const auto& d : filters.values("dangling")) {
        if (d == "true" || d == "1") want = true;
        else if (d == "false" || d == "0") want = false;
        else return make_error(ErrorCategory::InvalidArgument, "invalid filter 'dangling=" + d + "'");
      }
      if (v->users.empty() != want) continue;
    }
    if (filters.contains("name")) {
      bool any = false;
      for (const auto& n : filters.values("name")) any = any || v->name.find(n) != std::string::npos;
      if (!any) continue;
    }
    if (!filters.exact_match("driver", v->driver)) continue;
    auto labels = v->labels.value_or(std::map<std::string, std::string>{});
    if (!filters.match_labels("label", labels)) continue;
    if (filters.contains("label!") && filters.match_labels("label!", labels)) continue;
    out.push_back(std::move(*v));
  }
  return out;
}

Result<> LocalVolumeService::remove(const std::string& name, bool force) {
  std::lock_guard lock(mu_);
  return remove_locked(name, force);
}

Result<> LocalVolumeService::remove_locked(const std::string& name, bool force) {
  auto v = inspect(name);
  if (!v) {
    if (force && v.error().category() == ErrorCategory::NotFound) return ok();
    return tl::unexpected(v.error());
  }
  if (!v->users.empty())
    return make_error(ErrorCategory::Conflict,
                      "remove " + name + ": volume is in use - [" + join(v->users, ", ") + "]");
  auto st = TRY(db_->prepare("DELETE FROM volumes WHERE name = ?"));
  st.bind_all(name);
  TRY(st.run());
  if (auto r = snapshot::remove_tree(root_ + "/" + name); !r)
    log::warn("remove volume dir", {{"volume", name}, {"error", r.error()}});
  publish("destroy", name);
  return ok();
}

Result<VolumePrune> LocalVolumeService::prune(const Filters& filters) {
  TRY(filters.validate({"label", "label!", "all"}));
  bool all = false;
  for (const auto& a : filters.values("all")) {
    if (a == "true" || a == "1") all = true;
    else if (a != "false" && a != "0") return make_error(ErrorCategory::InvalidArgument, "invalid filter 'all=" + a + "'");
  }
  std::lock_guard lock(mu_);
  Filters none;
  auto volumes = TRY(list(none));
  VolumePrune out;
  for (const auto& v : volumes) {
    if (!v.users.empty() || (!all && !v.anonymous)) continue;
    auto labels = v.labels.value_or(std::map<std::string, std::string>{});
    if (!filters.match_labels("label", labels)) continue;
    if (filters.contains("label!") && filters.match_labels("label!", labels)) continue;
    auto usage = snapshot::tree_usage(v.mountpoint);
    if (auto r = remove_locked(v.name, false); !r) {
      log::warn("prune volume", {{"volume", v.name}, {"error", r.error()}});
      continue;
    }
    out.deleted.push_back(v.name);
    if (usage) out.space_reclaimed += static_cast<int64_t>(usage->size);
  }
  return out;
}

std::vector<DiskUsage::Volume> LocalVolumeService::volume_usage() const {
  std::vector<DiskUsage::Volume> out;
  auto self = const_cast<LocalVolumeService*>(this);  // list() only reads
  auto volumes = self->list(Filters{});
  if (!volumes) return out;
  for (const auto& v : *volumes) {
    auto usage = snapshot::tree_usage(v.mountpoint);
    out.push_back({v.name, v.driver, v.mountpoint, usage ? static_cast<int64_t>(usage->size) : -1,
                   static_cast<int64_t>(v.users.size())});
  }
  return out;
}

}  // namespace berth::engine
