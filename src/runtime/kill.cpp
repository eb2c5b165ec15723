#include <csignal>

#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"
#include "sys/process.hpp"

namespace berth::runtime {

Result<> kill(const Context& ctx, const std::string& id, int sig, bool all) {
  auto record = TRY(load_record(ctx, id));
  auto st = status(ctx, record);
  if (st == oci::Status::Stopped && !all) return make_error(ErrorCategory::Conflict, "container not running");
  if (all) {
    auto manager = TRY(record_manager(record));
    if (manager) {
      TRY(manager->signal_all(sig));
      // A frozen task only acts on a signal once thawed.
      if (st == oci::Status::Paused && sig == SIGKILL) TRY(manager->freeze(cgroups::FreezerState::Thawed));
      return ok();
    }
    if (st == oci::Status::Stopped) return ok();
  }
  auto pidfd = TRY(init_pidfd(record));
  TRY_CTX(sys::pidfd_signal(pidfd.get(), sig), "kill container " + id);
  return ok();
}

}  // namespace berth::runtime
