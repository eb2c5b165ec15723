// Operations on one v2 group directory, shared by the v2 manager and by
// the v1 manager's companion group in hybrid mode; and the generic
// "signal every process" that both fall back to.
#pragma once

#include <chrono>
#include <string>

#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

// Writes cgroup.freeze and waits (poll(2) on cgroup.events, no sleeps)
// until the kernel reports the group frozen or thawed.
Result<> freeze_v2_group(const std::string& dir, FreezerState target);
Result<FreezerState> v2_freezer_state(const std::string& dir);
// Waits until cgroup.events says "populated 0"; Conflict after `budget`.
Result<> wait_unpopulated(const std::string& dir, std::chrono::microseconds budget);

// Freeze, signal each pid, thaw: a frozen group cannot fork a child past
// the signal, and its pids cannot be reused while we walk them. A group
// that was already frozen stays frozen, except that SIGKILL thaws it so
// the kill takes effect. With `v2_freeze_dir` (hybrid), that group's
// cgroup.freeze is used for the walk: it stops the same tasks and takes
// microseconds where a v1 freezer.state write takes milliseconds.
Result<> signal_each(Manager& manager, int sig, const std::string& v2_freeze_dir = "");

}  // namespace berth::cgroups
