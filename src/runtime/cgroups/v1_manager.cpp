#include "runtime/cgroups/v1_manager.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>

#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/group_ops.hpp"

namespace berth::cgroups {

using namespace std::chrono_literals;

V1Manager::V1Manager(std::vector<Group> groups, std::string unified_path)
    : groups_(std::move(groups)), unified_(std::move(unified_path)) {}

std::string V1Manager::path_of(std::string_view controller) const {
  for (const auto& g : groups_) {
    if (std::find(g.controllers.begin(), g.controllers.end(), controller) != g.controllers.end())
      return g.path;
  }
  return "";
}

std::map<std::string, std::string> V1Manager::paths() const {
  std::map<std::string, std::string> out;
  for (const auto& g : groups_)
    for (const auto& c : g.controllers) out[c] = g.path;
  if (!unified_.empty()) out[""] = unified_;
  return out;
}

// A new cpuset group starts with no cpus and no mems, and a task cannot
// join it until both are set: copy them from the nearest ancestor that has
// them, top-down, as runc does. Returns the group's (cpus, mems) so each
// file is read once.
Result<std::pair<std::string, std::string>> V1Manager::init_cpuset(const std::string& dir,
                                                                   const std::string& mountpoint) {
  auto cpus = TRY(read_value(dir, "cpuset.cpus"));
  auto mems = TRY(read_value(dir, "cpuset.mems"));
  if (!cpus.empty() && !mems.empty()) return std::pair{cpus, mems};
  if (dir.size() <= mountpoint.size())
    return make_error(ErrorCategory::Internal, "cpuset root " + dir + " has no cpus or mems");
  auto [parent_cpus, parent_mems] = TRY(init_cpuset(parent_path(dir), mountpoint));
  if (cpus.empty()) TRY(write_value(dir, "cpuset.cpus", cpus = parent_cpus));
  if (mems.empty()) TRY(write_value(dir, "cpuset.mems", mems = parent_mems));
  return std::pair{cpus, mems};
}

Result<> V1Manager::create() {
  std::vector<std::string> created;
  auto undo = ScopeGuard([&] {
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
  });
  for (const auto& g : groups_) {
    auto made = TRY_CTX(make_dirs_tracked(g.path), "create cgroup");
    created.insert(created.end(), made.begin(), made.end());
    if (std::find(g.controllers.begin(), g.controllers.end(), "cpuset") != g.controllers.end())
      TRY_CTX(init_cpuset(g.path, g.mountpoint), "create cgroup: initialise cpuset");
  }
  if (!unified_.empty()) {
    // The v2 group only adds cgroup.kill and population events; a host
    // that refuses it still runs containers.
    if (auto made = make_dirs_tracked(unified_); made) {
      created.insert(created.end(), made->begin(), made->end());
    } else {
      log::warn("hybrid cgroup: not using the v2 hierarchy", {{"error", made.error()}});
      unified_.clear();
    }
  }
  undo.dismiss();
  return ok();
}

Result<> V1Manager::add_process(pid_t pid) {
  const std::string value = std::to_string(pid);
  for (const auto& g : groups_) TRY_CTX(write_value(g.path, "cgroup.procs", value), "join cgroup");
  if (!unified_.empty()) TRY_CTX(write_value(unified_, "cgroup.procs", value), "join cgroup");
  return ok();
}

Result<> V1Manager::apply(const Resources& r) {
  if (!r.unified.empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "unified resources need cgroup v2 (this host uses v1)");
  if (r.memory) TRY_CTX(apply_v1_memory(path_of("memory"), *r.memory), "set memory limits");
  if (r.cpu) TRY_CTX(apply_v1_cpu(path_of("cpu"), path_of("cpuset"), *r.cpu), "set cpu limits");
  if (r.pids_limit) TRY_CTX(apply_v1_pids(path_of("pids"), *r.pids_limit), "set pids limit");
  if (r.block_io) TRY_CTX(apply_v1_blkio(path_of("blkio"), *r.block_io), "set blkio limits");
  TRY_CTX(apply_v1_hugetlb(path_of("hugetlb"), r.hugepage_limits), "set hugetlb limits");
  TRY_CTX(apply_v1_devices(path_of("devices"), r.devices), "set device rules");
  if (r.network)
    TRY_CTX(apply_v1_network(path_of("net_cls"), path_of("net_prio"), *r.network),
            "set network class");
  return ok();
}

// v1 has no notification for "frozen": write FROZEN and poll the state
// with a short escalating wait. Tasks in the middle of fork can keep the
// group in FREEZING; re-writing FROZEN retries them, and now and then a
// brief thaw lets a stuck one move on.
Result<> V1Manager::freeze_v1(const std::string& dir) {
  Backoff backoff(2s);
  for (int attempt = 1;; ++attempt) {
    if (attempt % 50 == 0) TRY(write_value(dir, "freezer.state", "THAWED"));
    TRY(write_value(dir, "freezer.state", "FROZEN"));
    auto state = TRY(read_value(dir, "freezer.state"));
    if (state == "FROZEN") return ok();
    if (state != "FREEZING")
      return make_error(ErrorCategory::Internal, "freezer.state is \"" + state + "\" after FROZEN");
    if (!backoff.wait()) break;
  }
  (void)write_value(dir, "freezer.state", "THAWED");
  return make_error(ErrorCategory::Unavailable, "freeze " + dir + ": tasks did not stop in time");
}

Result<> V1Manager::freeze(FreezerState target) {
  std::string dir = path_of("freezer");
  if (dir.empty()) {
    if (unified_.empty())
      return make_error(ErrorCategory::Unavailable, "the freezer cgroup controller is not mounted");
    return freeze_v2_group(unified_, target);
  }
  if (target == FreezerState::Frozen) {
    TRY_CTX(freeze_v1(dir), "pause");
    return ok();
  }
  TRY_CTX(write_value(dir, "freezer.state", "THAWED"), "resume");
  return ok();
}

Result<FreezerState> V1Manager::freezer_state() {
  std::string dir = path_of("freezer");
  if (dir.empty()) {
    if (unified_.empty()) return FreezerState::Thawed;
    return v2_freezer_state(unified_);
  }
  auto state = TRY(read_value(dir, "freezer.state"));
  if (state == "FROZEN") return FreezerState::Frozen;
  if (state == "FREEZING") return FreezerState::Freezing;
  return FreezerState::Thawed;
}

Result<std::vector<pid_t>> V1Manager::pids() {
  for (const char* c : {"freezer", "pids", "memory", "devices"}) {
    if (auto dir = path_of(c); !dir.empty()) return collect_pids(dir);
  }
  if (!groups_.empty()) return collect_pids(groups_.front().path);
  return std::vector<pid_t>{};
}

Result<> V1Manager::signal_all(int sig) {
  bool have_v2 = !unified_.empty() && has_file(unified_, "cgroup.freeze");
  if (sig != SIGKILL || !have_v2 || !has_file(unified_, "cgroup.kill"))
    return signal_each(*this, sig, have_v2 ? unified_ : "");
  TRY(write_value(unified_, "cgroup.kill", "1"));
  // Tasks stopped by the v1 freezer (a paused container) only act on the
  // kill once thawed.
  if (auto state = freezer_state(); state && *state != FreezerState::Thawed)
    TRY(freeze(FreezerState::Thawed));
  return ok();
}

Result<> V1Manager::wait_empty() {
  if (!unified_.empty() && has_file(unified_, "cgroup.events"))
    return wait_unpopulated(unified_, 1s);
  Backoff backoff(1s);
  while (true) {
    auto pids = TRY(this->pids());
    if (pids.empty()) return ok();
    if (!backoff.wait())
      return make_error(ErrorCategory::Conflict,
                        "cgroup still has " + std::to_string(pids.size()) + " processes");
  }
}

Result<> V1Manager::destroy() {
  if (auto r = wait_empty(); !r) {
    // A group that is already gone is destroyed.
    if (!r.error().is(ErrorCategory::NotFound)) return tl::unexpected(r.error().wrap("destroy cgroup"));
  }
  for (const auto& g : groups_) TRY_CTX(remove_tree(g.path, 500ms), "destroy cgroup");
  if (!unified_.empty()) TRY_CTX(remove_tree(unified_, 500ms), "destroy cgroup");
  return ok();
}

}  // namespace berth::cgroups
