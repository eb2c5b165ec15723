#include "engine/container_spec.hpp"

#include <fcntl.h>
#include <linux/capability.h>

#include <algorithm>
#include <map>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "sys/openat2.hpp"

namespace berth::engine {
namespace {

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
      "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
      "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
      "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
      "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
      "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
      "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
  return caps;
}

std::string cap_name(std::string_view name) {
  std::string n = to_lower(name);
  for (char& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return n.starts_with("CAP_") ? n : "CAP_" + n;
}

Result<std::vector<std::string>> capabilities(const RunSettings& s) {
  if (s.privileged) return all_capabilities();
  std::vector<std::string> caps = default_capabilities();
  auto known = [](const std::string& c) {
    return std::find(all_capabilities().begin(), all_capabilities().end(), c) != all_capabilities().end();
  };
  for (const auto& raw : s.cap_drop) {
    std::string c = cap_name(raw);
    if (c == "CAP_ALL") { caps.clear(); continue; }
    if (!known(c)) return make_error(ErrorCategory::InvalidArgument, "unknown capability: \"" + c + "\"");
    std::erase(caps, c);
  }
  for (const auto& raw : s.cap_add) {
    std::string c = cap_name(raw);
    if (c == "CAP_ALL") { caps = all_capabilities(); continue; }
    if (!known(c)) return make_error(ErrorCategory::InvalidArgument, "unknown capability: \"" + c + "\"");
    if (std::find(caps.begin(), caps.end(), c) == caps.end()) caps.push_back(c);
  }
  return caps;
}

// Lines of a passwd/group file inside the rootfs (empty if it is absent).
std::vector<std::vector<std::string>> db_entries(int root_fd, const std::string& path) {
  std::vector<std::vector<std::string>> out;
  auto fd = sys::open_in_root(root_fd, path, O_RDONLY);
  if (!fd) return out;
  auto text = read_fd(fd->get(), 4u << 20);
  if (!text) return out;
  for (const auto& line : split(*text, '\n'))
    if (!line.empty() && line[0] != '#') out.push_back(split(line, ':'));
  return out;
}

Unexpected no_entries(const std::string& what, const std::string& v) {
  bool user = what == "user";
  return make_error(ErrorCategory::InvalidArgument, "unable to find " + what + " " + v +
                                                        ": no matching entries in " +
                                                        (user ? "passwd" : "group") + " file");
}

// A name or number looked up in a passwd/group database: {id, name}.
Result<std::pair<uint32_t, std::string>> lookup(const std::vector<std::vector<std::string>>& db,
                                                const std::string& v, const char* what) {
  auto n = parse_int<uint32_t>(v);
  for (const auto& e : db)
    if (e.size() >= 3 && (n ? parse_int<uint32_t>(e[2]).value_or(~*n) == *n : e[0] == v))
      return std::pair{TRY(parse_int<uint32_t>(e[2])), e[0]};
  if (n) return std::pair{*n, std::string()};
  return no_entries(what, v);
}

// As runc's GetExecUser with dockerd's additional gids on top.
Result<UserIds> resolve_user(const std::string& rootfs, const std::string& spec,
                             const std::vector<std::string>& group_add) {
  UserIds u;
  auto root = TRY(open_file(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto passwd = db_entries(root.get(), "/etc/passwd");
  auto groups = db_entries(root.get(), "/etc/group");
  // A view on both branches: a std::string temporary here would die before
  // the views split_once returns into it are read.
  auto parts = split_once(spec.empty() ? std::string_view("0") : std::string_view(spec), ':');
  std::string user(parts.first), group(parts.second);
  auto [uid, name] = TRY(lookup(passwd, user, "user"));
  u.uid = uid;
  for (const auto& e : passwd) {
    if (e.size() >= 6 && !name.empty() && e[0] == name) {
      u.gid = parse_int<uint32_t>(e[3]).value_or(0);
      u.home = e[5];
      break;
    }
  }
  std::vector<uint32_t> supplementary;
  if (!group.empty()) {
    u.gid = TRY(lookup(groups, group, "group")).first;
  } else if (!name.empty()) {
    for (const auto& e : groups)
      if (e.size() >= 4 && std::ranges::count(split(e[3], ','), name))
        if (auto gid = parse_int<uint32_t>(e[2])) supplementary.push_back(*gid);
  }
  u.additional_gids.push_back(u.gid);
  u.additional_gids.insert(u.additional_gids.end(), supplementary.begin(), supplementary.end());
  for (const auto& g : group_add) {
    auto found = lookup(groups, g, "group");
    // dockerd capitalises this one (GetAdditionalGroups' own wording).
    if (!found) return make_error(ErrorCategory::InvalidArgument,
                                  "Unable to find group " + g + ": no matching entries in group file");
    u.additional_gids.push_back(found->first);
  }
  // runc sets each group once (the kernel keeps duplicates).
  std::vector<uint32_t> unique;
  for (auto g : u.additional_gids)
    if (std::find(unique.begin(), unique.end(), g) == unique.end()) unique.push_back(g);
  u.additional_gids = std::move(unique);
  return u;
}

bool has_env(const std::vector<std::string>& env, std::string_view key) {
  return std::any_of(env.begin(), env.end(), [&](const auto& e) { return e.starts_with(std::string(key) + "="); });
}

std::vector<oci::Mount> docker_mounts(const RunSettings& s, const SpecPaths& p) {
  std::string sys_mode = s.privileged ? "rw" : "ro";
  std::vector<oci::Mount> m = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}, {}, {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}},
      {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}, {}, {}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", sys_mode}, {}, {}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", sys_mode}, {}, {}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, {}, {}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, {}, {}},
  };
  auto bind = [&](const std::string& src, const char* dst) {
    if (!src.empty()) m.push_back({dst, "bind", src, {"rbind", "rprivate"}, {}, {}});
  };
  bind(p.resolv_conf, "/etc/resolv.conf");
  bind(p.hostname, "/etc/hostname");
  bind(p.hosts, "/etc/hosts");
  return m;
}

oci::Resources resources(const RunSettings& s) {
  oci::Resources r;
  r.devices = {oci::DeviceCgroup{s.privileged, "a", {}, {}, "rwm"}};
  if (s.memory || s.memory_swap) {
    oci::MemoryResources mem;
    mem.limit = s.memory;
    if (s.memory_swap) mem.swap = *s.memory_swap;
    r.memory = mem;
  }
  if (s.cpu_shares || s.cpu_quota || s.cpu_period || !s.cpuset_cpus.empty()) {
    oci::CpuResources cpu;
    if (s.cpu_shares) cpu.shares = static_cast<uint64_t>(*s.cpu_shares);
    cpu.quota = s.cpu_quota;
    if (s.cpu_period) cpu.period = static_cast<uint64_t>(*s.cpu_period);
    cpu.cpus = s.cpuset_cpus;
    r.cpu = cpu;
  }
  r.pids_limit = s.pids_limit;
  return r;
}

}  // namespace

oci::Resources container_resources(const RunSettings& s) { return resources(s); }

Result<UserIds> resolve_rootfs_user(const std::string& rootfs, const std::string& spec,
                                    const std::vector<std::string>& group_add) {
  return resolve_user(rootfs, spec, group_add);
}

std::vector<std::string> replace_or_append_env(std::vector<std::string> defaults,
                                               const std::vector<std::string>& overrides) {
  // Positions of the defaults only: like dockerd, a name appended twice
  // by the overrides stays twice.
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < defaults.size(); ++i) index.emplace(defaults[i].substr(0, defaults[i].find('=')), i);
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    auto it = index.find(std::string_view(o).substr(0, eq));
    if (eq == std::string::npos) {
      if (it != index.end()) defaults[it->second].clear();  // unset
    } else if (it != index.end()) {
      defaults[it->second] = o;
    } else {
      defaults.push_back(o);
    }
  }
  std::erase(defaults, std::string());
  return defaults;
}

std::vector<std::string> process_env(const std::vector<std::string>& config_env, const std::string& hostname,
                                     bool tty, const std::vector<std::string>& exec_env, const std::string& home) {
  std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                  "HOSTNAME=" + hostname};
  if (tty) env.push_back("TERM=xterm");
  env = replace_or_append_env(replace_or_append_env(std::move(env), config_env), exec_env);
  if (!has_env(env, "HOME")) env.push_back("HOME=" + home);
  return env;
}

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  return caps;
}

Result<oci::Spec> container_spec(const Container& c, const RunSettings& s, const SpecPaths& paths) {
  oci::Spec spec;
  spec.oci_version = oci::kRuntimeSpecVersion;
  spec.root = oci::Root{paths.rootfs, s.readonly_rootfs};
  spec.hostname = s.hostname;
  spec.domainname = s.domainname;
  spec.mounts = docker_mounts(s, paths);
  // --init: dockerd binds its tini here and runs it in front of the command.
  if (!paths.init.empty())
    spec.mounts.push_back({"/sbin/docker-init", "bind", paths.init, {"bind", "ro", "rprivate"}, {}, {}});

  oci::Process p;
  p.terminal = c.tty;
  if (!paths.init.empty()) p.args = {"/sbin/docker-init", "--"};
  p.args.push_back(c.path);
  p.args.insert(p.args.end(), c.args.begin(), c.args.end());
  auto user = TRY(resolve_user(paths.rootfs, s.user, s.group_add));
  p.user.uid = user.uid;
  p.user.gid = user.gid;
  p.user.additional_gids = user.additional_gids;
  p.env = process_env(s.env, s.hostname, c.tty, {}, user.home);
  p.cwd = s.working_dir.empty() ? "/" : s.working_dir;
  auto caps = TRY(capabilities(s));
  p.capabilities = oci::Capabilities{caps, caps, {}, caps, {}};
  spec.process = std::move(p);

  oci::Linux l;
  l.namespaces = {{"pid", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
  if (s.network_mode != "host") l.namespaces.push_back({"network", paths.netns_path});
  if (!s.privileged) {
    l.masked_paths = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                      "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                      "/sys/devices/virtual/powercap"};
    l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  }
  l.resources = resources(s);
  l.cgroups_path = paths.cgroup_parent + "/" + c.id;
  spec.linux = std::move(l);
  return spec;
}

}  // namespace berth::engine
