// Small helpers shared by the lifecycle operations.
#pragma once

#include <memory>
#include <string>

#include "base/error.hpp"
#include "runtime/cgroups/cgroup.hpp"
#include "runtime/record.hpp"

namespace berth::runtime {

// The container's cgroup manager, or nullptr if it runs without one.
Result<std::unique_ptr<cgroups::Manager>> record_manager(const Record& record);
// A pidfd for the init, checked against its recorded start time.
Result<UniqueFd> init_pidfd(const Record& record);
// "running", "created", ... for error messages.
std::string status_word(oci::Status status);
oci::State state_for_hooks(const Record& record, oci::Status status);

}  // namespace berth::runtime
