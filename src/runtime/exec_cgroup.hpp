// exec --cgroup: the groups an exec'd process joins below the container's.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "base/error.hpp"

namespace berth::runtime {

// The container's cgroup paths (controller -> absolute dir, "" for the v2
// hierarchy) with `sub` applied: a "" key moves every path, a controller
// key only that one. A sub path may not climb out of the container's group.
Result<std::map<std::string, std::string>> sub_cgroup_paths(std::map<std::string, std::string> paths,
                                                            const std::map<std::string, std::string>& sub);
// Writes pid into cgroup.procs of each distinct directory.
Result<> join_cgroup_paths(const std::map<std::string, std::string>& paths, pid_t pid);

}  // namespace berth::runtime
