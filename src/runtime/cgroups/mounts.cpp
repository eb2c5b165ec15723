#include "runtime/cgroups/mounts.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::cgroups {

std::string unescape_mountinfo(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto digits = s.substr(i + 1, 3);
      bool octal = std::all_of(digits.begin(), digits.end(),
                               [](char c) { return c >= '0' && c <= '7'; });
      if (octal) {
        out += static_cast<char>(((digits[0] - '0') << 6) | ((digits[1] - '0') << 3) |
                                 (digits[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

namespace {

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    if (pos >= line.size()) break;
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool is_under(const std::string& path, const std::string& dir) {
  if (path == dir) return true;
  if (dir == "/") return !path.empty() && path[0] == '/';
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

// Format: id parent major:minor root mountpoint options [optional...] - fstype source super
std::optional<MountInfoEntry> parse_mountinfo_line(std::string_view line) {
  auto f = fields_of(line);
  auto sep = std::find(f.begin(), f.end(), std::string_view("-"));
  if (f.size() < 10 || sep == f.end() || sep - f.begin() < 6 || f.end() - sep < 4)
    return std::nullopt;
  MountInfoEntry e;
  e.root = unescape_mountinfo(f[3]);
  e.mountpoint = unescape_mountinfo(f[4]);
  e.fstype = std::string(*(sep + 1));
  for (auto& opt : split(*(sep + 3), ',')) e.super_options.push_back(std::move(opt));
  return e;
}

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const auto& line : split(text, '\n')) {
    auto [id, rest, ok1] = split_once(line, ':');
    auto [ctrls, path, ok2] = split_once(rest, ':');
    if (!ok1 || !ok2 || id.empty() || path.empty()) continue;
    out[std::string(ctrls)] = std::string(path);
  }
  return out;
}

namespace {

// v1 super options carry the controllers beside generic flags.
std::vector<std::string> controllers_of(const MountInfoEntry& e) {
  static const char* const kGeneric[] = {"rw",       "ro",        "nosuid",         "nodev",
                                         "noexec",   "relatime",  "clone_children", "noprefix",
                                         "xattr",    "nsdelegate"};
  std::vector<std::string> out;
  for (const auto& opt : e.super_options) {
    if (std::find(std::begin(kGeneric), std::end(kGeneric), opt) != std::end(kGeneric)) continue;
    if (opt.rfind("release_agent=", 0) == 0) continue;
    out.push_back(opt);
  }
  return out;
}

void add_own_paths(HostCgroups& host, const std::map<std::string, std::string>& proc_cgroup) {
  for (const auto& [key, path] : proc_cgroup) {
    if (key.empty()) {
      host.own[""] = path;
      continue;
    }
    for (const auto& ctrl : split(key, ',')) host.own[ctrl] = path;
  }
}

}  // namespace

Result<HostCgroups> discover(const std::string& mount_root, const std::string& proc_self) {
  auto mountinfo = TRY_CTX(read_file(proc_self + "/mountinfo"), "discover cgroup mounts");
  HostCgroups host;
  for (const auto& line : split(mountinfo, '\n')) {
    auto e = parse_mountinfo_line(line);
    if (!e || !is_under(e->mountpoint, mount_root)) continue;
    if (e->fstype == "cgroup2") {
      host.unified = Hierarchy{e->mountpoint, e->root, {}, true};
    } else if (e->fstype == "cgroup") {
      // A later mount over the same point hides the earlier one.
      std::erase_if(host.v1, [&](const Hierarchy& h) { return h.mountpoint == e->mountpoint; });
      host.v1.push_back(Hierarchy{e->mountpoint, e->root, controllers_of(*e), false});
    }
  }
  if (host.unified && host.unified->mountpoint == mount_root) {
    host.layout = Layout::V2;
    host.v1.clear();
  } else if (!host.v1.empty()) {
    host.layout = host.unified ? Layout::Hybrid : Layout::V1;
  } else {
    return make_error(ErrorCategory::Unavailable, "no cgroup filesystem mounted at " + mount_root);
  }
  auto proc_cgroup = TRY_CTX(read_file(proc_self + "/cgroup"), "discover cgroup mounts");
  add_own_paths(host, parse_proc_cgroup(proc_cgroup));
  return host;
}

Result<Layout> detect_layout(const std::string& mount_root, const std::string& proc_self) {
  // The common pure-v2 case costs one statfs and no parsing.
  struct statfs st {};
  if (::statfs(mount_root.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return Layout::V2;
  auto host = TRY(discover(mount_root, proc_self));
  return host.layout;
}

}  // namespace berth::cgroups
