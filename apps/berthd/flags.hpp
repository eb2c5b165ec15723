// berthd's command line: dockerd's flag names, each one a config key.
#pragma once

#include <optional>
#include <string>

#include "base/error.hpp"
#include "engine/config.hpp"

namespace berth::berthd {

struct CommandLine {
  engine::ConfigLayer flags;               // only the flags that were given
  std::optional<std::string> config_file;  // --config
  bool show_version = false;
  bool validate_only = false;  // --validate: load the config, print it, exit
};

// Returns an exit code in the error's place when CLI11 already handled the
// invocation (--help) or it was malformed.
Result<CommandLine> parse_command_line(int argc, char** argv, int& exit_code);

}  // namespace berth::berthd
