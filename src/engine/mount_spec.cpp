#include "engine/mount_spec.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "base/strings.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

Unexpected bad(std::string msg) { return make_error(ErrorCategory::InvalidArgument, std::move(msg)); }

const std::set<std::string_view> kPropagation = {"private", "rprivate", "shared", "rshared", "slave", "rslave"};

// dockerd's mode grammar: comma-separated, at most one of each kind.
bool valid_mode(std::string_view mode) {
  if (mode.empty()) return true;
  int rw = 0, label = 0, prop = 0, copy = 0, consistency = 0;
  for (const auto& o : split(mode, ',')) {
    if (o == "rw" || o == "ro") ++rw;
    else if (o == "z" || o == "Z") ++label;
    else if (kPropagation.contains(o)) ++prop;
    else if (o == "nocopy") ++copy;
    else if (o == "consistent" || o == "cached" || o == "delegated") ++consistency;
    else return false;
  }
  return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1 && consistency <= 1;
}

bool has_mode(std::string_view mode, std::string_view what) {
  for (const auto& o : split(mode, ','))
    if (o == what) return true;
  return false;
}

std::string mode_propagation(std::string_view mode) {
  for (const auto& o : split(mode, ','))
    if (kPropagation.contains(o)) return o;
  return "";
}

struct Spec {  // dockerd's mount.Mount, the common form of -v and --mount
  std::string type, source, target;
  bool read_only = false;
  bool has_bind_options = false, has_volume_options = false, has_tmpfs_options = false;
  std::string propagation;
  bool non_recursive = false, no_copy = false;
  std::string driver;
  std::map<std::string, std::string> labels, driver_options;
  int64_t tmpfs_size = 0, tmpfs_mode = 0;
};

Unexpected config_error(const Spec& s, const std::string& msg) {
  return bad("invalid mount config for type \"" + s.type + "\": " + msg);
}

Result<> check_absolute(std::string_view p) {
  if (p.empty() || p[0] != '/') return bad("invalid mount path: '" + std::string(p) + "' mount path must be absolute");
  return ok();
}

// Docker writes the size with the largest exact unit.
std::string tmpfs_size(int64_t bytes) {
  static const std::pair<int64_t, const char*> units[] = {{1LL << 30, "g"}, {1LL << 20, "m"}, {1LL << 10, "k"}};
  for (auto [n, suffix] : units)
    if (bytes % n == 0) return std::to_string(bytes / n) + suffix;
  return std::to_string(bytes);
}

Result<MountPoint> to_mount_point(const Spec& s, const PathExists* exists) {
  if (s.target.empty()) return config_error(s, "field Target must not be empty");
  if (clean_path(s.target) == "/") return config_error(s, "invalid specification: destination can't be '/'");
  if (auto r = check_absolute(s.target); !r) return config_error(s, r.error().message());
  MountPoint mp;
  mp.type = s.type;
  mp.destination = clean_path(s.target);
  mp.rw = !s.read_only;
  if (s.type == "bind") {
    if (s.source.empty()) return config_error(s, "field Source must not be empty");
    if (!s.propagation.empty() && !kPropagation.contains(s.propagation))
      return config_error(s, "invalid propagation mode: " + s.propagation);
    if (s.has_volume_options) return config_error(s, "field VolumeOptions must not be specified");
    if (auto r = check_absolute(s.source); !r) return config_error(s, r.error().message());
    if (exists && !(*exists)(s.source)) return config_error(s, "bind source path does not exist: " + s.source);
    mp.source = clean_path(s.source);
    mp.propagation = s.propagation.empty() ? "rprivate" : s.propagation;
    mp.non_recursive = s.non_recursive;
  } else if (s.type == "volume") {
    if (s.has_bind_options) return config_error(s, "field BindOptions must not be specified");
    if (s.source.empty() && s.read_only)
      return config_error(s, "must not set ReadOnly mode when using anonymous volumes");
    mp.name = s.source;
    mp.anonymous = s.source.empty();
    mp.copy_data = !s.no_copy;
    mp.driver = s.driver.empty() ? "local" : s.driver;
    mp.volume_labels = s.labels;
    mp.volume_options = s.driver_options;
    mp.mode = "z";
  } else if (s.type == "tmpfs") {
    if (s.has_bind_options) return config_error(s, "field BindOptions must not be specified");
    if (!s.source.empty()) return config_error(s, "field Source must not be specified");
    if (s.tmpfs_size < 0) return config_error(s, "invalid tmpfs size: " + std::to_string(s.tmpfs_size));
    mp.tmpfs_options = {"nosuid", "nodev", "noexec"};
    if (s.tmpfs_size) mp.tmpfs_options.push_back("size=" + tmpfs_size(s.tmpfs_size));
    if (s.tmpfs_mode) {
      char buf[32];  // room for any 64-bit octal value
      std::snprintf(buf, sizeof buf, "mode=%llo", static_cast<unsigned long long>(s.tmpfs_mode));
      mp.tmpfs_options.push_back(buf);
    }
  } else {
    return config_error(s, "mount type unknown");
  }
  return mp;
}

std::string jstr(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool jbool(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

int64_t jint(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

const json::object* jobj(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::map<std::string, std::string> jmap(const json::object* o) {
  std::map<std::string, std::string> out;
  if (o)
    for (const auto& [k, v] : *o)
      if (v.is_string()) out[std::string(k)] = std::string(v.as_string());
  return out;
}

Result<Spec> spec_from_json(const json::object& o) {
  Spec s;
  s.type = jstr(o, "Type");
  s.source = jstr(o, "Source");
  s.target = jstr(o, "Target");
  s.read_only = jbool(o, "ReadOnly");
  if (auto* b = jobj(o, "BindOptions")) {
    s.has_bind_options = true;
    s.propagation = jstr(*b, "Propagation");
    s.non_recursive = jbool(*b, "NonRecursive");
  }
  if (auto* v = jobj(o, "VolumeOptions")) {
    s.has_volume_options = true;
    s.no_copy = jbool(*v, "NoCopy");
    s.labels = jmap(jobj(*v, "Labels"));
    if (auto* d = jobj(*v, "DriverConfig")) {
      s.driver = jstr(*d, "Name");
      s.driver_options = jmap(jobj(*d, "Options"));
    }
  }
  if (auto* t = jobj(o, "TmpfsOptions")) {
    s.has_tmpfs_options = true;
    s.tmpfs_size = jint(*t, "SizeBytes");
    s.tmpfs_mode = jint(*t, "Mode");
  }
  return s;
}

}  // namespace

std::string clean_path(std::string_view path) {
  std::vector<std::string> parts;
  for (const auto& p : split(path, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  bool abs = !path.empty() && path[0] == '/';
  std::string out = (abs ? "/" : "") + join(parts, "/");
  return out.empty() ? "." : out;
}

Result<> validate_volume_name(std::string_view name) {
  auto ok_char = [](char c, bool first) {
    return std::isalnum(static_cast<unsigned char>(c)) || (!first && (c == '_' || c == '.' || c == '-'));
  };
  bool valid = !name.empty();
  for (size_t i = 0; valid && i < name.size(); ++i) valid = ok_char(name[i], i == 0);
  std::string n(name);
  if (!valid)
    return bad("create " + n + ": \"" + n +
               "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
               "allowed. If you intended to pass a host directory, use absolute path");
  if (name.size() < 2)
    return bad("create " + n + ": volume name is too short, names should be at least two alphanumeric characters");
  return ok();
}

Result<MountPoint> parse_bind_spec(std::string_view raw) {
  std::string spec(raw);
  auto invalid = [&] { return bad("invalid volume specification: '" + spec + "'"); };
  // At most 4 parts, as dockerd's SplitN(raw, ":", 4).
  std::vector<std::string> arr;
  std::string_view rest = raw;
  while (arr.size() < 3) {
    auto [head, tail, found] = split_once(rest, ':');
    arr.emplace_back(head);
    if (!found) break;
    rest = tail;
    if (arr.size() == 3) arr.emplace_back(rest);
  }
  if (arr.empty() || arr[0].empty()) return invalid();
  Spec s;
  std::string mode;
  switch (arr.size()) {
    case 1: s.target = arr[0]; break;
    case 2:
      if (valid_mode(arr[1])) return invalid();  // "/dst:ro": a volume cannot have a mode alone
      s.source = arr[0];
      s.target = arr[1];
      break;
    case 3:
      s.source = arr[0];
      s.target = arr[1];
      mode = arr[2];
      break;
    default: return invalid();
  }
  if (!valid_mode(mode)) return bad("invalid mode: " + mode);
  s.type = !s.source.empty() && s.source[0] == '/' ? "bind" : "volume";
  s.read_only = has_mode(mode, "ro");
  if (has_mode(mode, "nocopy")) {
    s.has_volume_options = true;
    s.no_copy = true;
  }
  s.propagation = mode_propagation(mode);
  s.has_bind_options = !s.propagation.empty();
  auto mp = to_mount_point(s, nullptr);
  if (!mp) return bad("invalid volume specification: '" + spec + "': " + mp.error().message());
  if (s.type == "bind") {
    mp->mode = mode;
    mp->create_source = true;
  } else if (!mode.empty()) {
    mp->mode = mode;
  }
  return mp;
}

Result<MountPoint> parse_mount_json(std::string_view text, const PathExists& exists) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad("invalid mount: expected a JSON object");
  auto s = TRY(spec_from_json(v.as_object()));
  return to_mount_point(s, &exists);
}

Result<MountPoint> parse_tmpfs(std::string_view destination, std::string_view options) {
  TRY(check_absolute(destination));
  std::string dst = clean_path(destination);
  if (dst == "/") return bad("invalid specification: destination can't be '/'");
  MountPoint mp;
  mp.type = "tmpfs";
  mp.destination = dst;
  mp.hidden = true;
  std::vector<std::string> opts = {"nosuid", "nodev", "noexec"};
  // The user's flags win over the defaults (exec drops noexec, ...).
  for (const auto& o : split(options, ',')) {
    if (o.empty()) continue;
    if (o == "exec" || o == "suid" || o == "dev") std::erase(opts, "no" + o);
    else if (o == "ro") mp.rw = false;
    else if (o == "rw") mp.rw = true;
    if (o != "exec" && o != "suid" && o != "dev" && o != "rw" && o != "ro" &&
        std::find(opts.begin(), opts.end(), o) == opts.end())
      opts.push_back(o);
  }
  mp.tmpfs_options = std::move(opts);
  return mp;
}

Result<std::vector<MountPoint>> container_mounts(std::string_view host_config_json,
                                                 const std::vector<std::string>& config_volumes,
                                                 const PathExists& exists) {
  boost::system::error_code ec;
  auto v = json::parse(host_config_json.empty() ? std::string_view("{}") : host_config_json, ec);
  if (ec || !(v.is_object() || v.is_null())) return bad("HostConfig: expected an object");
  json::object hc = v.is_object() ? v.as_object() : json::object();
  std::vector<MountPoint> out;
  std::set<std::string> seen;
  auto add = [&](MountPoint mp) -> Result<> {
    if (!seen.insert(mp.destination).second) return bad("Duplicate mount point: " + mp.destination);
    out.push_back(std::move(mp));
    return ok();
  };
  if (auto* b = hc.if_contains("Binds"); b && b->is_array())
    for (const auto& e : b->as_array()) {
      if (!e.is_string()) return bad("json: cannot unmarshal Binds into a string list");
      TRY(add(TRY(parse_bind_spec(e.as_string()))));
    }
  if (auto* m = hc.if_contains("Mounts"); m && m->is_array())
    for (const auto& e : m->as_array()) {
      if (!e.is_object()) return bad("json: cannot unmarshal Mounts into an object list");
      auto s = TRY(spec_from_json(e.as_object()));
      TRY(add(TRY(to_mount_point(s, &exists))));
    }
  if (auto* t = hc.if_contains("Tmpfs"); t && t->is_object())
    for (const auto& [dst, opts] : t->as_object())
      TRY(add(TRY(parse_tmpfs(dst, opts.is_string() ? std::string_view(opts.as_string()) : ""))));
  for (const auto& dst : config_volumes) {
    std::string d = clean_path(dst);
    if (dst.empty() || dst[0] != '/') return bad("invalid mount path: '" + dst + "' mount path must be absolute");
    if (d == "/" || !seen.insert(d).second) continue;  // a user mount covers it
    MountPoint mp;
    mp.type = "volume";
    mp.destination = d;
    mp.anonymous = true;
    mp.driver = "local";
    out.push_back(std::move(mp));
  }
  return out;
}

std::string mounts_to_json(const std::vector<MountPoint>& mounts) {
  json::array a;
  for (const auto& m : mounts) {
    json::object labels, opts;
    for (const auto& [k, v] : m.volume_labels) labels[k] = v;
    for (const auto& [k, v] : m.volume_options) opts[k] = v;
    json::array tmpfs;
    for (const auto& o : m.tmpfs_options) tmpfs.emplace_back(o);
    a.push_back(json::object{{"Type", m.type}, {"Name", m.name}, {"Source", m.source},
                             {"Destination", m.destination}, {"Mode", m.mode}, {"RW", m.rw},
                             {"Propagation", m.propagation}, {"CopyData", m.copy_data},
                             {"CreateSource", m.create_source}, {"NonRecursive", m.non_recursive},
                             {"Anonymous", m.anonymous}, {"Hidden", m.hidden}, {"Driver", m.driver},
                             {"VolumeLabels", labels}, {"VolumeOptions", opts}, {"TmpfsOptions", tmpfs}});
  }
  return json::serialize(a);
}

Result<std::vector<MountPoint>> mounts_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return make_error(ErrorCategory::Internal, "corrupt mounts.json");
  std::vector<MountPoint> out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    MountPoint m;
    m.type = jstr(o, "Type");
    m.name = jstr(o, "Name");
    m.source = jstr(o, "Source");
    m.destination = jstr(o, "Destination");
    m.mode = jstr(o, "Mode");
    m.rw = jbool(o, "RW");
    m.propagation = jstr(o, "Propagation");
    m.copy_data = jbool(o, "CopyData");
    m.create_source = jbool(o, "CreateSource");
    m.non_recursive = jbool(o, "NonRecursive");
    m.anonymous = jbool(o, "Anonymous");
    m.hidden = jbool(o, "Hidden");
    m.driver = jstr(o, "Driver");
    m.volume_labels = jmap(jobj(o, "VolumeLabels"));
    m.volume_options = jmap(jobj(o, "VolumeOptions"));
    if (auto* t = o.if_contains("TmpfsOptions"); t && t->is_array())
      for (const auto& x : t->as_array())
        if (x.is_string()) m.tmpfs_options.emplace_back(x.as_string());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace berth::engine
