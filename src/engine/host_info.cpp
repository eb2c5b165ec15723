#include "engine/host_info.hpp"

#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::engine {
namespace {

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

bool knob_is_one(const std::string& path) {
  auto text = read_file(path, 64);
  return text && trim(*text) == "1";
}

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

int64_t online_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return ::sysconf(_SC_NPROCESSORS_ONLN);
}

CgroupFacts probe_v2(const std::string& root) {
  CgroupFacts f;
  f.version = "2";
  std::set<std::string> controllers;
  if (auto text = read_file(root + "/cgroup.controllers", 4096))
    for (auto& c : split(trim(*text), ' ')) controllers.insert(c);
  f.memory = controllers.count("memory") > 0;
  f.swap = f.memory;
  f.cpu_cfs = f.cpu_shares = controllers.count("cpu") > 0;
  f.cpuset = controllers.count("cpuset") > 0;
  f.pids = controllers.count("pids") > 0;
  return f;
}

CgroupFacts probe_v1(const std::string& root) {
  CgroupFacts f;
  f.version = "1";
  f.memory = exists(root + "/memory");
  f.swap = exists(root + "/memory/memory.memsw.limit_in_bytes");
  f.oom_kill_disable = exists(root + "/memory/memory.oom_control");
  f.kernel_memory_tcp = exists(root + "/memory/memory.kmem.tcp.limit_in_bytes");
  f.cpu_cfs = exists(root + "/cpu/cpu.cfs_period_us");
  f.cpu_shares = exists(root + "/cpu/cpu.shares");
  f.cpuset = exists(root + "/cpuset/cpuset.cpus");
  f.pids = exists(root + "/pids");
  return f;
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const auto& line : split(text, '\n')) {
    auto t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto [key, value, found] = split_once(t, '=');
    if (found) out[std::string(key)] = unquote(value);
  }
  return out;
}

Result<int64_t> parse_meminfo_total(std::string_view text) {
  for (const auto& line : split(text, '\n')) {
    auto [key, rest, found] = split_once(line, ':');
    if (!found || key != "MemTotal") continue;
    auto fields = split(trim(rest), ' ');
    auto kib = TRY_CTX(parse_int<int64_t>(fields.front()), "meminfo MemTotal");
    return kib * 1024;
  }
  return make_error(ErrorCategory::Internal, "meminfo: no MemTotal line");
}

CgroupFacts probe_cgroups(const std::string& root) {
  // A cgroup2 mount has cgroup.controllers at its root; a v1 (or hybrid)
  // layout is a tmpfs of per-controller mounts.
  return exists(root + "/cgroup.controllers") ? probe_v2(root) : probe_v1(root);
}

std::string go_arch(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine.substr(0, 3) == "arm") return "arm";
  return std::string(machine);
}

int64_t count_open_fds(const std::string& proc) {
  std::error_code ec;
  int64_t n = 0;
  for (std::filesystem::directory_iterator it(proc + "/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

int64_t count_threads(const std::string& proc) {
  auto status = read_file(proc + "/self/status", 1 << 16);
  if (!status) return 0;
  for (const auto& line : split(*status, '\n')) {
    auto [key, value, found] = split_once(line, ':');
    if (found && key == "Threads") return parse_int<int64_t>(trim(value)).value_or(0);
  }
  return 0;
}

Result<HostFacts> probe_host(const HostPaths& paths) {
  HostFacts h;
  struct utsname uts{};
  if (::uname(&uts) != 0) return sys_error("uname");
  h.kernel_version = uts.release;
  h.architecture = uts.machine;
  h.hostname = uts.nodename;
  if (auto text = read_file(paths.os_release, 1 << 16)) {
    auto os = parse_os_release(*text);
    h.operating_system = os.count("PRETTY_NAME") ? os["PRETTY_NAME"] : "Linux";
    h.os_version = os["VERSION_ID"];
  } else {
    h.operating_system = "Linux";
  }
  h.ncpu = online_cpus();
  auto meminfo = TRY_CTX(read_file(paths.proc + "/meminfo", 1 << 20), "read meminfo");
  h.mem_total = TRY(parse_meminfo_total(meminfo));
  h.cgroup = probe_cgroups(paths.cgroup_root);
  h.ipv4_forwarding = knob_is_one(paths.proc + "/sys/net/ipv4/ip_forward");
  h.bridge_nf_iptables = knob_is_one(paths.proc + "/sys/net/bridge/bridge-nf-call-iptables");
  h.bridge_nf_ip6tables = knob_is_one(paths.proc + "/sys/net/bridge/bridge-nf-call-ip6tables");
  return h;
}

}  // namespace berth::engine
