// A command: its words ("ps", "network ls"), help text, flags and handler.
// Handlers return the process exit code or an Error, which main prints as
// docker does (one line, exit 1; run/create use 125).
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/context.hpp"

namespace berth::cli {

struct Command {
  std::string name;                  // "ps", "network ls"
  std::vector<std::string> aliases;  // "container ls", ...
  std::string usage;                 // "[OPTIONS] CONTAINER [CONTAINER...]"
  std::string summary;
  std::vector<Flag> flags;
  int min_args = 0;
  int max_args = -1;  // -1 = unlimited
  bool stop_at_positional = false;
  int error_exit = 1;  // exit code for errors (125 for run/create/start -a)
  std::function<Result<int>(Context&, const Args&)> run;
};

std::vector<Command> system_commands();
std::vector<Command> image_commands();
std::vector<Command> container_commands();
std::vector<Command> lifecycle_commands();
std::vector<Command> run_commands();
std::vector<Command> network_commands();
std::vector<Command> registry_commands();
std::vector<Command> event_commands();
std::vector<Command> exec_commands();
std::vector<Command> cp_commands();
Command stats_command();
std::vector<Command> manage_commands();  // update, commit, export, diff, history, import
std::vector<Command> volume_commands();
std::vector<Command> prune_commands();   // container/image/network/system/builder prune
std::vector<Command> bootstrap_commands();  // bootstrap.cpp (image bootstrap)
std::vector<Command> search_commands();     // search.cpp
// Runs method+path_of(name) per argument, printing each name (rm, stop, ...).
Result<int> each_container(Context& ctx, const Args& args, const std::string& method,
                           const std::function<std::string(const std::string&)>& path_of);

// All commands, in help order.
const std::vector<Command>& all_commands();

// The program entry: global flags, dispatch, help and error printing.
int main_entry(int argc, char** argv);

// Helpers shared by the command files.
void out(const std::string& text);   // stdout, unbuffered write
void err(const std::string& text);   // stderr
// --filter k=v (repeatable) as the API's map form, URL-encoded; "" if none.
std::string filters_query(const std::vector<std::string>& filters);
// --format for inspect-like output: Go template per element or indented JSON.
Result<int> print_inspect(const std::vector<std::string>& raw, const std::string& format);
// Boolean flag shorthands used by many commands.
inline Flag bool_flag(char s, std::string name, std::string help) {
  return Flag{s, std::move(name), "", std::move(help), ""};
}
inline Flag value_flag(char s, std::string name, std::string value, std::string help,
                       std::string def = "") {
  return Flag{s, std::move(name), std::move(value), std::move(help), std::move(def)};
}
// A string field of a JSON object ("" when missing).
std::string str_field(const boost::json::value& v, std::string_view key);
int64_t int_field(const boost::json::value& v, std::string_view key);
// A 64-hex id (sha256: stripped) cut to 12 characters.
std::string short_id(std::string id);

}  // namespace berth::cli
