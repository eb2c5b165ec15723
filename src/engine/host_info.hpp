// Facts about the host that /info and /version report: kernel, OS, CPUs,
// memory, cgroup version and controllers, forwarding sysctls. Paths are
// injectable so tests point them at fixture trees.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::engine {

struct HostPaths {
  std::string proc = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string os_release = "/etc/os-release";
};

struct CgroupFacts {
  std::string version;  // "1" or "2"
  bool memory = false, swap = false, cpu_cfs = false, cpu_shares = false, cpuset = false,
       pids = false, oom_kill_disable = false, kernel_memory_tcp = false;
};

struct HostFacts {
  std::string kernel_version, architecture, hostname;
  std::string operating_system, os_version;
  int64_t ncpu = 0, mem_total = 0;
  CgroupFacts cgroup;
  bool ipv4_forwarding = false, bridge_nf_iptables = false, bridge_nf_ip6tables = false;
};

Result<HostFacts> probe_host(const HostPaths& paths = {});

// The pieces, exposed for tests.
std::map<std::string, std::string> parse_os_release(std::string_view text);
Result<int64_t> parse_meminfo_total(std::string_view text);  // bytes
CgroupFacts probe_cgroups(const std::string& root);
// Go's GOARCH spelling of a uname machine name (x86_64 -> amd64).
std::string go_arch(std::string_view machine);

// Open fds and threads of this process (/proc/self).
int64_t count_open_fds(const std::string& proc = "/proc");
int64_t count_threads(const std::string& proc = "/proc");

}  // namespace berth::engine
