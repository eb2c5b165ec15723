#include "oci/runtime_validate.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "base/strings.hpp"

namespace berth::oci {
namespace {

constexpr std::array<std::string_view, 41> kCapabilities = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};

constexpr std::array<std::string_view, 16> kRlimits = {
    "RLIMIT_AS",     "RLIMIT_CORE",    "RLIMIT_CPU",        "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",   "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE",  "RLIMIT_NPROC",      "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME",  "RLIMIT_SIGPENDING", "RLIMIT_STACK"};

constexpr std::array<std::string_view, 8> kNamespaces = {"pid",  "network", "mount",  "ipc",
                                                          "uts",  "user",    "cgroup", "time"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& table, std::string_view name) {
  return std::find(table.begin(), table.end(), name) != table.end();
}

class Problems {
 public:
  void add(std::string where, std::string what) { list_.push_back(where + ": " + what); }
  Result<> result() const {
    if (list_.empty()) return ok();
    return make_error(ErrorCategory::InvalidArgument, "invalid config: " + join(list_, "; "));
  }

 private:
  std::vector<std::string> list_;
};

bool absolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

void check_process(const Process& p, std::string_view at, Problems& out) {
  std::string where(at);
  if (p.args.empty()) out.add(where + ".args", "must not be empty");
  if (!absolute(p.cwd)) out.add(where + ".cwd", "must be an absolute path, got \"" + p.cwd + "\"");
  std::set<std::string> seen;
  for (const auto& r : p.rlimits) {
    if (!is_known_rlimit(r.type)) out.add(where + ".rlimits", "unknown type " + r.type);
    if (!seen.insert(r.type).second) out.add(where + ".rlimits", "duplicate type " + r.type);
    if (r.soft > r.hard) out.add(where + ".rlimits." + r.type, "soft limit exceeds hard limit");
  }
  if (p.capabilities) {
    const auto& c = *p.capabilities;
    for (const auto* set : {&c.bounding, &c.effective, &c.inheritable, &c.permitted, &c.ambient})
      for (const auto& name : *set)
        if (!is_known_capability(name)) out.add(where + ".capabilities", "unknown capability " + name);
  }
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    out.add(where + ".oomScoreAdj", "must be between -1000 and 1000");
  for (const auto& e : p.env)
    if (e.find('=') == std::string::npos) out.add(where + ".env", "\"" + e + "\" is not KEY=value");
}

bool has_new_ns(const Linux& l, const std::string& type) {
  const auto* ns = l.find_namespace(type);
  return ns != nullptr;
}

// Which namespace a sysctl belongs to; "" for host-global ones.
std::string sysctl_namespace(const std::string& key) {
  static const std::set<std::string> ipc = {"kernel.msgmax",          "kernel.msgmnb",
                                            "kernel.msgmni",          "kernel.sem",
                                            "kernel.shmall",          "kernel.shmmax",
                                            "kernel.shmmni",          "kernel.shm_rmid_forced"};
  if (ipc.count(key) || key.starts_with("fs.mqueue.")) return "ipc";
  if (key.starts_with("net.")) return "network";
  if (key == "kernel.hostname" || key == "kernel.domainname") return "uts";
  return "";
}

void check_namespaces(const Linux& l, Problems& out) {
  std::set<std::string> seen;
  for (size_t i = 0; i < l.namespaces.size(); ++i) {
    const auto& ns = l.namespaces[i];
    std::string where = "linux.namespaces[" + std::to_string(i) + "]";
    if (!is_known_namespace(ns.type)) out.add(where + ".type", "unknown namespace type \"" + ns.type + "\"");
    if (!seen.insert(ns.type).second) out.add(where, "duplicate namespace " + ns.type);
    if (!ns.path.empty() && !absolute(ns.path)) out.add(where + ".path", "must be absolute");
  }
  const auto* user = l.find_namespace("user");
  bool maps = !l.uid_mappings.empty() || !l.gid_mappings.empty();
  if (user && user->path.empty() && (l.uid_mappings.empty() || l.gid_mappings.empty()))
    out.add("linux.namespaces", "a new user namespace needs uidMappings and gidMappings");
  if (maps && !user) out.add("linux.uidMappings", "mappings need a user namespace");
  if (!l.time_offsets.empty() && !has_new_ns(l, "time"))
    out.add("linux.timeOffsets", "needs a time namespace");
  for (const auto& [key, value] : l.sysctl) {
    std::string ns = sysctl_namespace(key);
    if (ns.empty())
      out.add("linux.sysctl." + key, "is not namespaced and cannot be set in a container");
    else if (!has_new_ns(l, ns))
      out.add("linux.sysctl." + key, "needs a " + ns + " namespace");
  }
}

void check_linux(const Linux& l, Problems& out) {
  check_namespaces(l, out);
  for (size_t i = 0; i < l.devices.size(); ++i) {
    const auto& d = l.devices[i];
    std::string where = "linux.devices[" + std::to_string(i) + "]";
    if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
      out.add(where + ".type", "must be one of c, b, u, p");
    if (!absolute(d.path)) out.add(where + ".path", "must be absolute");
  }
  static const std::set<std::string> propagation = {"", "shared", "slave", "private",
                                                    "unbindable", "rshared", "rslave",
                                                    "rprivate", "runbindable"};
  if (!propagation.count(l.rootfs_propagation))
    out.add("linux.rootfsPropagation", "unknown value \"" + l.rootfs_propagation + "\"");
  if (l.resources)
    for (const auto& d : l.resources->devices) {
      if (!d.type.empty() && d.type != "a" && d.type != "c" && d.type != "b")
        out.add("linux.resources.devices", "type must be a, c or b");
      // access: letters other than r, w, m are ignored, as runc does.
    }
  if (l.seccomp && l.seccomp->default_action.empty())
    out.add("linux.seccomp.defaultAction", "must be set");
}

void check_hooks(const Hooks& h, Problems& out) {
  auto each = [&](const std::vector<Hook>& list, const char* name) {
    for (const auto& hook : list)
      if (!absolute(hook.path)) out.add(std::string("hooks.") + name, "path must be absolute");
      else if (hook.timeout && *hook.timeout <= 0)
        out.add(std::string("hooks.") + name, "timeout must be positive");
  };
  each(h.prestart, "prestart");
  each(h.create_runtime, "createRuntime");
  each(h.create_container, "createContainer");
  each(h.start_container, "startContainer");
  each(h.poststart, "poststart");
  each(h.poststop, "poststop");
}

}  // namespace

bool is_known_capability(std::string_view name) { return contains(kCapabilities, name); }
bool is_known_rlimit(std::string_view name) { return contains(kRlimits, name); }
bool is_known_namespace(std::string_view type) { return contains(kNamespaces, type); }

Result<> validate_process(const Process& process, std::string_view where) {
  Problems problems;
  check_process(process, where, problems);
  return problems.result();
}

Result<> validate(const Spec& spec) {
  Problems out;
  if (spec.oci_version.empty())
    out.add("ociVersion", "must be set");
  else if (!spec.oci_version.starts_with("1."))
    out.add("ociVersion", "unsupported version " + spec.oci_version + " (1.x only)");
  if (!spec.root || spec.root->path.empty()) out.add("root.path", "must be set");
  if (spec.process) check_process(*spec.process, "process", out);
  for (size_t i = 0; i < spec.mounts.size(); ++i)
    if (!absolute(spec.mounts[i].destination))
      out.add("mounts[" + std::to_string(i) + "].destination",
              "must be an absolute path, got \"" + spec.mounts[i].destination + "\"");
  if (spec.linux) {
    check_linux(*spec.linux, out);
    if (!spec.hostname.empty() && !has_new_ns(*spec.linux, "uts"))
      out.add("hostname", "needs a new uts namespace");
    if (!spec.domainname.empty() && !has_new_ns(*spec.linux, "uts"))
      out.add("domainname", "needs a new uts namespace");
  }
  if (spec.hooks) check_hooks(*spec.hooks, out);
  return out.result();
}

}  // namespace berth::oci
