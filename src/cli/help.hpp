// Help texts printed by `berth --help`, `berth GROUP` and `berth CMD --help`.
#pragma once

#include <string>

#include "cli/command.hpp"

namespace berth::cli {

std::string global_help();
// "volume", "container", ...: a word that only prefixes commands.
bool is_group(const std::string& word);
std::string group_help(const std::string& group);
// `invoked`: the words the user typed ("container ls" for ps), as docker
// names the command it was called as.
std::string command_help(const Command& c, const std::string& invoked = "");
// The names an "Aliases:" line lists, in docker's order: the group form
// first, a top-level shortcut last ("container ls, container list, ps").
std::vector<std::string> alias_line(const Command& c);

}  // namespace berth::cli
