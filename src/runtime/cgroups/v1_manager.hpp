// cgroup v1 (and hybrid): one directory per mounted hierarchy. In hybrid
// mode the container also gets a group in the v2 mount, which has no
// controllers but gives cgroup.kill (race-free SIGKILL of the whole
// group) and a population count that can be waited on.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

class V1Manager final : public Manager {
 public:
  struct Group {
    std::vector<std::string> controllers;  // "cpu", "cpuacct", "name=systemd", ...
    std::string mountpoint;                // the hierarchy's mount (stops cpuset copying)
    std::string path;                      // the container's directory
  };

  V1Manager(std::vector<Group> groups, std::string unified_path);

  Result<> create() override;
  Result<std::optional<UniqueFd>> open_for_clone() override { return std::nullopt; }
  Result<> add_process(pid_t pid) override;
  Result<> apply(const Resources& resources) override;
  Result<> freeze(FreezerState target) override;
  Result<FreezerState> freezer_state() override;
  Result<std::vector<pid_t>> pids() override;
  Result<> signal_all(int sig) override;
  Result<Stats> stats() override;
  Result<> destroy() override;
  std::map<std::string, std::string> paths() const override;
  Layout layout() const override { return unified_.empty() ? Layout::V1 : Layout::Hybrid; }

  // The container's directory for `controller`, "" when not mounted.
  std::string path_of(std::string_view controller) const;

 private:
  Result<std::pair<std::string, std::string>> init_cpuset(const std::string& dir,
                                                         const std::string& mountpoint);
  Result<> wait_empty();
  Result<> freeze_v1(const std::string& dir);

  std::vector<Group> groups_;
  std::string unified_;  // hybrid only
};

// Resources -> v1 files, one function per controller (v1_apply.cpp). The
// dirs are the container's group in that controller's hierarchy ("" when
// the controller is not mounted).
Result<> apply_v1_memory(const std::string& dir, const Resources::Memory& memory);
Result<> apply_v1_cpu(const std::string& cpu_dir, const std::string& cpuset_dir,
                      const Resources::Cpu& cpu);
Result<> apply_v1_blkio(const std::string& dir, const Resources::BlockIo& blkio);
Result<> apply_v1_hugetlb(const std::string& dir,
                          const std::vector<Resources::HugepageLimit>& limits);
Result<> apply_v1_devices(const std::string& dir, const std::vector<DeviceRule>& rules);
Result<> apply_v1_network(const std::string& cls_dir, const std::string& prio_dir,
                          const Resources::Network& network);
Result<> apply_v1_pids(const std::string& dir, int64_t limit);

// Stats from v1 files (v1_stats.cpp).
Result<> read_v1_memory_stats(const std::string& dir, Stats& stats);
Result<> read_v1_cpu_stats(const std::string& cpu_dir, const std::string& cpuacct_dir,
                           Stats& stats);
Result<> read_v1_blkio_stats(const std::string& dir, Stats& stats);
Result<> read_v1_hugetlb_stats(const std::string& dir, Stats& stats);

}  // namespace berth::cgroups
