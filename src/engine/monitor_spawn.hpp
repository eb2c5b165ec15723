// Spawning a berth-monitor (a container's, or an exec session's): a new
// session, its stderr appended to a log file, readiness read from fd 3.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::engine {

// The berth-monitor binary: `configured`, else beside berthd (installed or
// in the build tree), else from PATH.
std::string find_monitor_binary(const std::string& configured);
// berth-init (for --init) beside berthd, installed or in the build tree;
// empty when there is none.
std::string find_init_binary();

// Runs `bin args... --ready-fd 3` and returns the readiness line's two
// numbers ("ok <monitor pid> <pid>"). A monitor that fails is killed.
// With `done`, the readiness pipe is kept there: it hangs up once the
// monitor recorded the container's exit (or died).
Result<std::pair<int64_t, int64_t>> spawn_monitor_process(const std::string& bin,
                                                         const std::vector<std::string>& args,
                                                         const std::string& stderr_path,
                                                         UniqueFd* done = nullptr);

}  // namespace berth::engine
