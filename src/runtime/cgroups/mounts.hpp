// What the host's cgroup mounts look like: which hierarchies are mounted
// under the cgroup root, which controllers each carries, and where the
// calling process sits in each. Parsed from /proc/self/mountinfo and
// /proc/self/cgroup, read below an injectable `proc_self` so unit tests use
// fixture files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

struct MountInfoEntry {
  std::string root;        // the path inside the filesystem that is mounted
  std::string mountpoint;  // where it is mounted
  std::string fstype;
  std::vector<std::string> super_options;  // "rw", "cpu", "name=systemd", ...
};

// One line of /proc/<pid>/mountinfo; nullopt for malformed lines.
std::optional<MountInfoEntry> parse_mountinfo_line(std::string_view line);

// /proc/<pid>/cgroup: hierarchy key -> path. Keys are the controller list
// of the line ("cpu,cpuacct", "name=systemd") and "" for the v2 line.
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);

// A mounted hierarchy below the cgroup root.
struct Hierarchy {
  std::string mountpoint;
  std::string root;                      // mountinfo root ("/" on the host)
  std::vector<std::string> controllers;  // v1: "cpu", "name=systemd"; v2: empty
  bool v2 = false;
};

struct HostCgroups {
  Layout layout = Layout::V2;
  std::vector<Hierarchy> v1;         // one per mount (co-mounted share one)
  std::optional<Hierarchy> unified;  // the v2 mount (hybrid or pure v2)
  // The caller's own cgroup per controller name ("" = v2), from
  // /proc/self/cgroup; used for relative cgroupsPath.
  std::map<std::string, std::string> own;
};

// Reads mountinfo and /proc/self/cgroup below `proc_self` and keeps the
// cgroup mounts at or below `mount_root`.
Result<HostCgroups> discover(const std::string& mount_root, const std::string& proc_self);

// Unescapes mountinfo's octal escapes (\040 for space).
std::string unescape_mountinfo(std::string_view s);

}  // namespace berth::cgroups
