// Process privileges: capabilities (libcap), seccomp (libseccomp), the
// user switch, rlimits and oom_score_adj. Used by the container's init
// and by exec'd processes alike.
#pragma once

#include <optional>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::runtime {

// Drops every capability not in `bounding` from the bounding set.
Result<> drop_bounding(const oci::Capabilities& caps);
// Sets effective/permitted/inheritable, then raises ambient ones.
Result<> apply_capabilities(const oci::Capabilities& caps);

// Loads the filter. Unknown syscall names are skipped (they do not exist
// on this kernel), as runc does. With SCMP_ACT_NOTIFY rules the result is
// the notify listener fd (for the agent at listenerPath), else empty.
Result<UniqueFd> load_seccomp(const oci::Seccomp& seccomp);

// setgroups + setresgid + setresuid, keeping the permitted set so the
// configured capabilities can be applied afterwards.
Result<> switch_user(const oci::User& user, bool can_setgroups);

// Each limit is clamped to the hard limit this process holds when raising
// it is not permitted (no CAP_SYS_RESOURCE), with a warning, not an error.
Result<> apply_rlimits(const std::vector<oci::Rlimit>& rlimits);
Result<> apply_oom_score_adj(std::optional<int32_t> value);

}  // namespace berth::runtime
