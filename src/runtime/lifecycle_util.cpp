#include "runtime/lifecycle_util.hpp"

#include "base/owned_pid.hpp"
#include "sys/process.hpp"

namespace berth::runtime {

Result<std::unique_ptr<cgroups::Manager>> record_manager(const Record& record) {
  if (record.cgroup_paths.empty()) return std::unique_ptr<cgroups::Manager>();
  return cgroups::load_manager(record.cgroup_paths);
}

Result<UniqueFd> init_pidfd(const Record& record) {
  auto fd = pidfd_open(record.init_pid);
  if (!fd) return make_error(ErrorCategory::Conflict, "container not running");
  // The pidfd pins the process; if its start time still matches, it is ours.
  if (!init_alive(record)) return make_error(ErrorCategory::Conflict, "container not running");
  return fd;
}

std::string status_word(oci::Status status) { return std::string(oci::status_name(status)); }

oci::State state_for_hooks(const Record& r, oci::Status status) {
  return {r.config.oci_version, r.id, status, r.init_pid, r.bundle, r.config.annotations, r.rootfs, r.created, r.owner};
}

}  // namespace berth::runtime
