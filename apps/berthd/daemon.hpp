#pragma once

#include "base/error.hpp"
#include "engine/config.hpp"
#include "flags.hpp"

namespace berth::berthd {

// Runs the daemon until SIGTERM/SIGINT; SIGHUP reloads the config.
Result<> run_daemon(const engine::DaemonConfig& config, const CommandLine& command_line);

}  // namespace berth::berthd
