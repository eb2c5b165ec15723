// cgroup v2 unified: one directory. Controllers are enabled in the
// ancestors' cgroup.subtree_control; devices are a BPF program; the
// freezer and kill are files of the group itself.
#pragma once

#include <string>

#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

class V2Manager final : public Manager {
 public:
  // `mount_root` bounds the walk that enables controllers.
  V2Manager(std::string mount_root, std::string path);

  Result<> create() override;
  Result<std::optional<UniqueFd>> open_for_clone() override;
  Result<> add_process(pid_t pid) override;
  Result<> apply(const Resources& resources) override;
  Result<> freeze(FreezerState target) override;
  Result<FreezerState> freezer_state() override;
  Result<std::vector<pid_t>> pids() override;
  Result<> signal_all(int sig) override;
  Result<Stats> stats() override;
  Result<> destroy() override;
  std::map<std::string, std::string> paths() const override { return {{"", path_}}; }
  Layout layout() const override { return Layout::V2; }

  const std::string& path() const { return path_; }

 private:
  Result<> enable_controllers();
  Result<> apply_devices(const std::vector<DeviceRule>& rules);

  std::string mount_root_;
  std::string path_;
};

// The conversions runc 1.1 uses, so a spec means the same under both.
// cpu.shares [2, 262144] -> cpu.weight [1, 10000]; 0 stays "unset".
uint64_t cpu_shares_to_weight(uint64_t shares);
// blkio.weight [10, 1000] -> io.weight [1, 10000]; 0 stays "unset".
uint64_t blkio_weight_to_io_weight(uint64_t weight);
// OCI swap is memory+swap; v2's memory.swap.max is swap alone. -1 = max,
// 0 = unset (returned as nullopt).
Result<std::optional<int64_t>> swap_to_v2(int64_t swap, std::optional<int64_t> limit);

// Resources -> v2 files (v2_apply.cpp).
Result<> apply_v2_memory(const std::string& dir, const Resources::Memory& memory);
Result<> apply_v2_cpu(const std::string& dir, const Resources::Cpu& cpu);
Result<> apply_v2_io(const std::string& dir, const Resources::BlockIo& io);
Result<> apply_v2_hugetlb(const std::string& dir,
                          const std::vector<Resources::HugepageLimit>& limits);
Result<> apply_v2_unified(const std::string& dir, const std::map<std::string, std::string>& files);

// Stats from v2 files (v2_stats.cpp).
Result<Stats> read_v2_stats(const std::string& dir);

}  // namespace berth::cgroups
