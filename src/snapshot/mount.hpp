// Applies snapshot mounts with the new mount API (fsopen/fsconfig/
// fsmount/move_mount, open_tree for binds). Overlay lower dirs are passed
// one by one with "lowerdir+" (Linux 6.8+), so a stack of hundreds of
// layers never hits mount(2)'s one-page option limit; older kernels fall
// back to the single "lowerdir=" string.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::snapshot {

// Mounts every entry onto `target`, in order.
Result<> mount_all(const std::vector<Mount>& mounts, const std::string& target);
// Detaching unmount of `target`.
Result<> unmount(const std::string& target);

}  // namespace berth::snapshot
