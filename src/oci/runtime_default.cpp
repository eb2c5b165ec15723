#include "oci/runtime_default.hpp"

#include <algorithm>

namespace berth::oci {
namespace {

std::vector<Mount> default_mounts() {
  return {
      {"/proc", "proc", "proc", {}, {}, {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
       {},
       {}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, {}, {}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, {}, {}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, {}, {}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}, {}, {}},
  };
}

Process default_process() {
  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  p.capabilities = Capabilities{caps, caps, {}, caps, caps};
  p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  return p;
}

}  // namespace

Spec default_spec() {
  Spec s;
  s.oci_version = kRuntimeSpecVersion;
  s.process = default_process();
  s.root = Root{"rootfs", true};
  s.hostname = "runc";
  s.mounts = default_mounts();
  Linux l;
  l.resources = Resources{};
  l.resources->devices = {DeviceCgroup{false, "", {}, {}, "rwm"}};
  l.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
  l.masked_paths = {"/proc/acpi",       "/proc/asound",      "/proc/kcore",     "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                    "/proc/sched_debug", "/sys/firmware",     "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  s.linux = std::move(l);
  return s;
}

Spec rootless_spec(uid_t uid, gid_t gid) {
  Spec s = default_spec();
  Linux& l = *s.linux;
  // No network namespace (an unprivileged user cannot wire one up) and a
  // user namespace mapping container root to the caller.
  std::erase_if(l.namespaces, [](const Namespace& ns) { return ns.type == "network"; });
  l.namespaces.push_back({"user", ""});
  l.uid_mappings = {{0, uid, 1}};
  l.gid_mappings = {{0, gid, 1}};
  l.resources.reset();
  for (auto& m : s.mounts) {
    // A single mapped gid cannot own devpts as gid 5, and sysfs cannot be
    // mounted fresh without a network namespace: bind the host's instead.
    if (m.type == "devpts") std::erase(m.options, std::string("gid=5"));
    if (m.destination == "/sys")
      m = Mount{"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}};
  }
  return s;
}

}  // namespace berth::oci
