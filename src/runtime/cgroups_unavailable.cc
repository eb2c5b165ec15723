// Stand-in for src/runtime/cgroups/ while the cgroup managers are being
// written (CMakeLists.txt links it only when that folder has no sources):
// every entry point reports Unavailable, so the runtime runs containers
// without cgroup limits and says so.
#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

Result<Layout> detect_layout(const std::string&) {
  return make_error(ErrorCategory::Unavailable, "cgroup support is not built in");
}

Result<std::unique_ptr<Manager>> make_manager(const ManagerOptions&) {
  return make_error(ErrorCategory::Unavailable, "cgroup support is not built in");
}

Result<std::unique_ptr<Manager>> load_manager(const std::map<std::string, std::string>&, const std::string&) {
  return make_error(ErrorCategory::Unavailable, "cgroup support is not built in");
}

}  // namespace berth::cgroups
