// The seam to src/runtime/cgroups: OCI `linux.resources` translated into
// the cgroup Manager's Resources, and the Manager for a container.
#pragma once

#include <memory>

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"
#include "runtime/cgroups/cgroup.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

cgroups::Resources to_cgroup_resources(const oci::Resources& r);

// The config's resources plus the device rules every container needs.
cgroups::Resources container_cgroup_resources(const oci::Spec& spec);

// A new Manager for a container being created. Without cgroup support in
// this build (Unavailable) the container runs unconfined by cgroups and
// a warning says so; any other failure is an error.
Result<std::unique_ptr<cgroups::Manager>> new_manager(const Context& ctx, const oci::Spec& spec,
                                                      const std::string& id);

}  // namespace berth::runtime
