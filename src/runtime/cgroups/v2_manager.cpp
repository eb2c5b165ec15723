#include "runtime/cgroups/v2_manager.hpp"

#include <fcntl.h>
#include <signal.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "runtime/cgroups/bpf_devices.hpp"
#include "runtime/cgroups/group_ops.hpp"
#include "runtime/cgroups/util.hpp"

namespace berth::cgroups {

using namespace std::chrono_literals;

V2Manager::V2Manager(std::string mount_root, std::string path)
    : mount_root_(std::move(mount_root)), path_(std::move(path)) {}

// Every ancestor from the root down to the parent must delegate the
// controllers (a group's cgroup.controllers is its parent's
// subtree_control). All available ones are enabled, as runc does, so a
// later `update` finds them. An ancestor with processes of its own refuses
// (EBUSY): then each controller is tried alone and the rest left, and a
// limit that needs a missing one fails later with a clear error.
Result<> V2Manager::enable_controllers() {
  std::string dir = mount_root_;
  std::string rest = path_.substr(mount_root_.size());
  auto parts = split(rest, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;
    auto available = TRY(read_value(dir, "cgroup.controllers"));
    if (!available.empty()) {
      std::string request;
      for (const auto& c : split(available, ' ')) request += (request.empty() ? "+" : " +") + c;
      if (!write_value(dir, "cgroup.subtree_control", request)) {
        for (const auto& c : split(available, ' '))
          (void)write_value(dir, "cgroup.subtree_control", "+" + c);
      }
    }
    dir = join_path(dir, parts[i]);
  }
  return ok();
}

Result<> V2Manager::create() {
  auto created = TRY_CTX(make_dirs_tracked(path_), "create cgroup");
  auto undo = ScopeGuard([&] {
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
  });
  TRY_CTX(enable_controllers(), "create cgroup: enable controllers");
  undo.dismiss();
  return ok();
}

Result<std::optional<UniqueFd>> V2Manager::open_for_clone() {
  return TRY_CTX(open_file(path_, O_RDONLY | O_DIRECTORY), "open cgroup for clone");
}

Result<> V2Manager::add_process(pid_t pid) {
  TRY_CTX(write_value(path_, "cgroup.procs", std::to_string(pid)), "join cgroup");
  return ok();
}

Result<> V2Manager::apply_devices(const std::vector<DeviceRule>& rules) {
  auto normal = TRY(normalize_rules(rules));
  auto program = device_program(emulate(normal));
  auto prog = TRY(load_device_program(program));
  auto dir = TRY(open_file(path_, O_RDONLY | O_DIRECTORY));
  return replace_device_program(dir.get(), prog.get());
}

Result<> V2Manager::apply(const Resources& r) {
  if (r.memory) TRY_CTX(apply_v2_memory(path_, *r.memory), "set memory limits");
  if (r.cpu) TRY_CTX(apply_v2_cpu(path_, *r.cpu), "set cpu limits");
  if (r.pids_limit)
    TRY_CTX(write_value(path_, "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max"),
            "set pids limit");
  if (r.block_io) TRY_CTX(apply_v2_io(path_, *r.block_io), "set io limits");
  TRY_CTX(apply_v2_hugetlb(path_, r.hugepage_limits), "set hugetlb limits");
  if (!r.devices.empty()) TRY_CTX(apply_devices(r.devices), "set device rules");
  if (r.network && (r.network->class_id || !r.network->priorities.empty()))
    log::warn("ignoring network class and priorities: cgroup v2 has no net_cls/net_prio");
  // Last, so a raw file can override what the translation wrote.
  TRY_CTX(apply_v2_unified(path_, r.unified), "set unified resources");
  return ok();
}

Result<> V2Manager::freeze(FreezerState target) { return freeze_v2_group(path_, target); }

Result<FreezerState> V2Manager::freezer_state() { return v2_freezer_state(path_); }

Result<std::vector<pid_t>> V2Manager::pids() { return collect_pids(path_); }

Result<> V2Manager::signal_all(int sig) {
  // cgroup.kill (5.14+) kills every task, including ones forking right now.
  if (sig == SIGKILL && has_file(path_, "cgroup.kill"))
    return write_value(path_, "cgroup.kill", "1");
  return signal_each(*this, sig);
}

Result<Stats> V2Manager::stats() { return TRY_CTX(read_v2_stats(path_), "read cgroup stats"); }

Result<> V2Manager::destroy() {
  if (auto r = wait_unpopulated(path_, 1s); !r && !r.error().is(ErrorCategory::NotFound))
    return tl::unexpected(r.error().wrap("destroy cgroup"));
  TRY_CTX(remove_tree(path_, 500ms), "destroy cgroup");
  return ok();
}

}  // namespace berth::cgroups
