// delete: only a stopped (or never-started) container, unless forced;
// kills what is left, removes the cgroup, runs poststop hooks and removes
// the state directory.
#include <csignal>
#include <unistd.h>

#include "base/log.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

bool own_pid_namespace(const oci::Spec& spec) {
  const oci::Namespace* ns = spec.linux ? spec.linux->find_namespace("pid") : nullptr;
  return ns && ns->path.empty();
}

Result<> kill_and_wait(const Record& record, cgroups::Manager* manager) {
  auto pidfd = init_pidfd(record);
  if (pidfd) {
    (void)sys::pidfd_signal(pidfd->get(), SIGKILL);
    if (manager) (void)manager->freeze(cgroups::FreezerState::Thawed);
    TRY(sys::pidfd_wait_exit(pidfd->get(), -1));
  }
  // With its own pid namespace the init's death took every process along;
  // without one, the cgroup is how we find the rest (as runc does). A
  // group shared with another container is then left alone.
  if (manager && !own_pid_namespace(record.config)) TRY(manager->signal_all(SIGKILL));
  return ok();
}

void remove_state_dir(const Context& ctx, const std::string& id) {
  std::string dir = container_dir(ctx, id);
  ::unlink((dir + "/" + kExecFifo).c_str());
  ::unlink((dir + "/" + kStateFile).c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

Result<> remove(const Context& ctx, const std::string& id, bool force) {
  auto record = TRY(load_record(ctx, id));
  return remove_container(ctx, record, force);
}

Result<> remove_container(const Context& ctx, const Record& record, bool force) {
  const std::string& id = record.id;
  auto st = status(ctx, record);
  if (st != oci::Status::Stopped && st != oci::Status::Created && !force)
    return make_error(ErrorCategory::Conflict, "cannot delete container " + id + " that is not stopped: " + status_word(st));
  auto manager = record_manager(record);
  cgroups::Manager* mgr = manager ? manager->get() : nullptr;
  TRY(kill_and_wait(record, mgr));
  // destroy() itself waits (up to 1 s) for killed tasks to leave the group.
  if (auto destroyed = mgr ? mgr->destroy() : Result<>{}; !destroyed)
    log::warn("cgroup not removed", {{"id", id}, {"error", destroyed.error()}});
  if (record.config.hooks) {
    auto hooked = run_hooks(record.config.hooks->poststop, state_for_hooks(record, oci::Status::Stopped), "poststop");
    if (!hooked) log::warn("poststop hook failed", {{"error", hooked.error()}});
  }
  remove_state_dir(ctx, id);
  return ok();
}

}  // namespace berth::runtime
