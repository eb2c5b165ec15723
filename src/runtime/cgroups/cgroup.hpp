// Cgroup management for one container: v1 (including the hybrid layout,
// where /sys/fs/cgroup/unified is a v2 mount with no controllers) and v2
// unified. The layout is detected at run time; nothing is chosen at build
// time.
//
// This is the seam between the runtime and the kernel's cgroup files: the
// runtime translates the OCI `linux.resources` into `Resources` and calls a
// Manager; the engine uses the same Manager for `docker update/stats`.
// Managers take the cgroup mount root as a parameter so unit tests point
// them at a temp tree of fixture files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::cgroups {

struct DeviceRule {
  bool allow = false;
  char type = 'a';        // 'a' all, 'c' char, 'b' block
  int64_t major = -1;     // -1 = wildcard
  int64_t minor = -1;     // -1 = wildcard
  std::string access;     // subset of "rwm"
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<uint16_t> weight, leaf_weight;
};
struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
};

// Mirrors the OCI runtime-spec `linux.resources`; unset = leave as is.
struct Resources {
  struct Memory {
    std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
  };
  struct Cpu {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> period, burst;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::optional<std::string> cpus, mems;
    std::optional<int64_t> idle;
  };
  struct BlockIo {
    std::optional<uint16_t> weight, leaf_weight;
    std::vector<WeightDevice> weight_devices;
    std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops,
        throttle_write_iops;
  };
  struct HugepageLimit {
    std::string page_size;  // "2MB", "1GB"
    uint64_t limit = 0;
  };

  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<int64_t> pids_limit;  // <= 0 means unlimited ("max")
  std::optional<BlockIo> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::vector<DeviceRule> devices;  // applied in order, as the spec says
  std::map<std::string, std::string> unified;  // raw v2 files

  // OCI `linux.resources.network` (v1 net_cls/net_prio; ignored on v2).
  struct Network {
    std::optional<uint32_t> class_id;
    std::vector<std::pair<std::string, uint32_t>> priorities;  // interface, priority
  };
  std::optional<Network> network;
};

enum class FreezerState { Thawed, Freezing, Frozen };

struct Stats {
  struct {
    uint64_t usage = 0, max_usage = 0, limit = 0, cache = 0, swap_usage = 0;
    uint64_t failcnt = 0;
    uint64_t swap_limit = 0;  // v1: memsw limit; v2: memory.swap.max
    uint64_t oom_kill = 0;    // processes the OOM killer killed in this group
    std::map<std::string, uint64_t> raw;  // memory.stat
  } memory;
  struct {
    uint64_t total_ns = 0, user_ns = 0, system_ns = 0;
    std::vector<uint64_t> percpu_ns;
    uint64_t throttled_periods = 0, throttled_time_ns = 0, periods = 0;
  } cpu;
  struct {
    uint64_t current = 0, limit = 0;  // limit 0 = unlimited
  } pids;
  struct BlkioEntry {
    int64_t major = 0, minor = 0;
    std::string op;
    uint64_t value = 0;
  };
  std::vector<BlkioEntry> blkio_bytes, blkio_ios;
  std::map<std::string, uint64_t> hugetlb_usage;
};

enum class Layout { V1, Hybrid, V2 };

// Which cgroup layout the host uses, read from `mount_root` (normally
// /sys/fs/cgroup); `proc_self` is where mountinfo is read (a fixture dir in
// unit tests).
Result<Layout> detect_layout(const std::string& mount_root = "/sys/fs/cgroup",
                             const std::string& proc_self = "/proc/self");

class Manager {
 public:
  virtual ~Manager() = default;

  // Creates the container's group(s) (mkdir -p in every hierarchy).
  virtual Result<> create() = 0;
  // v2 only: a directory fd for clone3(CLONE_INTO_CGROUP); nullopt on v1
  // and hybrid (the v1 hierarchies still need add_process).
  virtual Result<std::optional<UniqueFd>> open_for_clone() = 0;
  virtual Result<> add_process(pid_t pid) = 0;
  // Writes every set field of `resources`; used at create and by update.
  virtual Result<> apply(const Resources& resources) = 0;
  virtual Result<> freeze(FreezerState target) = 0;
  virtual Result<FreezerState> freezer_state() = 0;
  virtual Result<std::vector<pid_t>> pids() = 0;
  // Signals every process in the group; SIGKILL uses cgroup.kill on v2
  // kernels that have it. Returns once the signal is delivered.
  virtual Result<> signal_all(int sig) = 0;
  virtual Result<Stats> stats() = 0;
  // Removes the group(s); fails with Conflict while processes remain.
  virtual Result<> destroy() = 0;
  // Absolute paths per controller ("" key for v2) to store in state.json
  // and reload with `load`.
  virtual std::map<std::string, std::string> paths() const = 0;
  virtual Layout layout() const = 0;
};

struct ManagerOptions {
  std::string mount_root = "/sys/fs/cgroup";
  // OCI `linux.cgroupsPath`: absolute ("/berth/abc") or relative (placed
  // under the runtime's own cgroup); empty = "/<container id>".
  std::string cgroups_path;
  std::string container_id;
  // Accepted for runc compatibility; needs a running systemd.
  bool systemd = false;
  // Where /proc/self/{mountinfo,cgroup} are read (relative cgroupsPath and
  // layout detection); a fixture dir in unit tests.
  std::string proc_self = "/proc/self";
  // Where "is systemd running" is checked (/run/systemd/system).
  std::string systemd_marker = "/run/systemd/system";
};

Result<std::unique_ptr<Manager>> make_manager(const ManagerOptions& options);
// Re-opens the groups of an existing container from its saved paths.
Result<std::unique_ptr<Manager>> load_manager(const std::map<std::string, std::string>& paths,
                                              const std::string& mount_root = "/sys/fs/cgroup");

}  // namespace berth::cgroups
