// Choosing and building a manager: layout detection, cgroupsPath
// resolution (absolute, or relative to the caller's own cgroup as runc
// does), and re-opening a container's groups from saved paths.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/mounts.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v1_manager.hpp"
#include "runtime/cgroups/v2_manager.hpp"

namespace berth::cgroups {

namespace {

// The v1 hierarchies a container joins; others (a "name=foo" mount of
// some tool) are left alone.
bool known_controller(std::string_view c) {
  static const char* const kKnown[] = {"cpu",     "cpuacct",    "cpuset",  "memory",
                                       "devices", "freezer",    "blkio",   "pids",
                                       "hugetlb", "net_cls",    "net_prio", "perf_event",
                                       "rdma",    "misc",       "name=systemd"};
  return std::find(std::begin(kKnown), std::end(kKnown), c) != std::end(kKnown);
}

// Own cgroup as seen through a mount: mountinfo's root is the part of the
// hierarchy the mount shows (not "/" inside a cgroup namespace).
std::string own_below_mount(const std::string& own, const std::string& mount_root_field) {
  if (mount_root_field == "/" || mount_root_field.empty()) return own;
  if (own == mount_root_field) return "/";
  if (own.size() > mount_root_field.size() && own.starts_with(mount_root_field) &&
      own[mount_root_field.size()] == '/')
    return own.substr(mount_root_field.size());
  return own;
}

Result<std::string> inner_path(const ManagerOptions& o) {
  std::string raw = o.cgroups_path.empty() ? "/" + o.container_id : o.cgroups_path;
  std::string inner = clean_path(raw);
  if (inner.empty() || inner == "/")
    return make_error(ErrorCategory::InvalidArgument,
                      "cgroupsPath \"" + raw + "\" names the cgroup root");
  return inner;
}

Result<std::string> own_v2_cgroup(const std::string& proc_self) {
  auto text = TRY_CTX(read_file(proc_self + "/cgroup"), "find own cgroup");
  auto own = parse_proc_cgroup(text);
  auto it = own.find("");
  if (it == own.end())
    return make_error(ErrorCategory::NotFound, "no cgroup v2 entry in " + proc_self + "/cgroup");
  return it->second;
}

// runc places a relative path under the parent of its own group: its own
// group usually holds processes (a login session), and v2 forbids enabling
// controllers below a group with processes.
Result<std::unique_ptr<Manager>> make_v2(const ManagerOptions& o, const std::string& inner) {
  std::string base = o.mount_root;
  if (inner[0] != '/') base = join_path(base, parent_path(TRY(own_v2_cgroup(o.proc_self))));
  return std::make_unique<V2Manager>(o.mount_root, join_path(base, inner));
}

Result<std::unique_ptr<Manager>> make_v1(const HostCgroups& host,
                                         const std::string& inner) {
  bool relative = inner[0] != '/';
  std::vector<V1Manager::Group> groups;
  for (const auto& h : host.v1) {
    std::vector<std::string> controllers;
    std::copy_if(h.controllers.begin(), h.controllers.end(), std::back_inserter(controllers),
                 known_controller);
    if (controllers.empty()) continue;
    std::string base = h.mountpoint;
    if (relative) {
      auto own = host.own.find(controllers.front());
      if (own == host.own.end())
        return make_error(ErrorCategory::NotFound,
                          "no entry for " + controllers.front() + " in /proc/self/cgroup");
      base = join_path(base, own_below_mount(own->second, h.root));
    }
    groups.push_back({std::move(controllers), h.mountpoint, join_path(base, inner)});
  }
  if (groups.empty())
    return make_error(ErrorCategory::Unavailable, "no cgroup v1 controllers mounted");
  std::string unified;
  if (host.unified) {
    std::string base = host.unified->mountpoint;
    auto own = host.own.find("");
    if (relative && own != host.own.end())
      base = join_path(base, own_below_mount(own->second, host.unified->root));
    unified = join_path(base, inner);
  }
  return std::make_unique<V1Manager>(std::move(groups), std::move(unified));
}

Result<> check_systemd(const ManagerOptions& o) {
  struct stat st {};
  if (::stat(o.systemd_marker.c_str(), &st) != 0)
    return make_error(ErrorCategory::Unavailable,
                      "systemd cgroup driver requested (--systemd-cgroup) but systemd is not "
                      "running on this host (no " + o.systemd_marker + ")");
  return make_error(ErrorCategory::Unavailable,
                    "the systemd cgroup driver is not supported by berth-runtime yet; run "
                    "without --systemd-cgroup");
}

}  // namespace

Result<std::unique_ptr<Manager>> make_manager(const ManagerOptions& o) {
  if (o.systemd) TRY(check_systemd(o));
  auto inner = TRY(inner_path(o));
  // Pure v2 needs no mount table: one statfs decides.
  struct statfs st {};
  if (::statfs(o.mount_root.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return make_v2(o, inner);
  auto host = TRY(discover(o.mount_root, o.proc_self));
  if (host.layout == Layout::V2) return make_v2(o, inner);
  return make_v1(host, inner);
}

Result<std::unique_ptr<Manager>> load_manager(const std::map<std::string, std::string>& paths,
                                              const std::string& mount_root) {
  if (paths.empty()) return make_error(ErrorCategory::InvalidArgument, "no cgroup paths saved");
  // Saved state is input: every path must stay below the cgroup mount.
  for (const auto& [controller, path] : paths) {
    if (clean_path(path) != path || !path.starts_with(mount_root + "/"))
      return make_error(ErrorCategory::InvalidArgument,
                        "cgroup path \"" + path + "\" is not below " + mount_root);
  }
  if (paths.size() == 1 && paths.begin()->first.empty())
    return std::make_unique<V2Manager>(mount_root, paths.begin()->second);
  std::vector<V1Manager::Group> groups;
  std::string unified;
  for (const auto& entry : paths) {
    const std::string& controller = entry.first;
    const std::string& path = entry.second;
    if (controller.empty()) {
      unified = path;
      continue;
    }
    auto same = std::find_if(groups.begin(), groups.end(),
                             [&](const V1Manager::Group& g) { return g.path == path; });
    if (same != groups.end()) {
      same->controllers.push_back(controller);
      continue;
    }
    auto rest = path.substr(mount_root.size() + 1);
    groups.push_back({{controller}, join_path(mount_root, rest.substr(0, rest.find('/'))), path});
  }
  return std::make_unique<V1Manager>(std::move(groups), std::move(unified));
}

}  // namespace berth::cgroups
