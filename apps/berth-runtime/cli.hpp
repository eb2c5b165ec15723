// Shared pieces of the berth-runtime command line: global options, a
// small runc-style flag parser (Go's flag rules: -x or --x, "=value" or
// a separate value, parsing stops at the first positional or "--"), and
// runc's way of reporting an error.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/runtime.hpp"

namespace berth::cli {

struct Globals {
  runtime::Context ctx;
  std::string log_path;
  std::string log_format = "text";
  bool debug = false;
  int log_fd = -1;
};

struct FlagSpec {
  std::vector<std::string> names;  // first is the canonical name
  bool takes_value = false;
};

class Flags {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> all(const std::string& name) const;
  std::vector<std::string> positional;

  std::map<std::string, std::vector<std::string>> values_;
};

// Flags may follow positionals (`update <id> --memory 1g`, as runc takes
// them) unless `stop_at_positional`: exec and ps pass what follows the id
// to the container or to ps(1).
Result<Flags> parse_flags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                          bool stop_at_positional = false);

// Prints the error as runc does (plain to stderr when logging to a file,
// else a logrus line) and returns `code` (1 unless runc uses another).
int fail(const Globals& g, const Error& error, int code = 1);
int fail(const Globals& g, const std::string& message, int code = 1);
// Exactly `n` positionals (the container id first) or a usage error.
Result<> need_args(const Flags& f, size_t n, const char* usage);

using Command = int (*)(Globals&, const std::vector<std::string>&);

int cmd_spec(Globals&, const std::vector<std::string>&);
int cmd_create(Globals&, const std::vector<std::string>&);
int cmd_start(Globals&, const std::vector<std::string>&);
int cmd_run(Globals&, const std::vector<std::string>&);
int cmd_state(Globals&, const std::vector<std::string>&);
int cmd_kill(Globals&, const std::vector<std::string>&);
int cmd_delete(Globals&, const std::vector<std::string>&);
int cmd_list(Globals&, const std::vector<std::string>&);
int cmd_ps(Globals&, const std::vector<std::string>&);
int cmd_pause(Globals&, const std::vector<std::string>&);
int cmd_resume(Globals&, const std::vector<std::string>&);
int cmd_exec(Globals&, const std::vector<std::string>&);
int cmd_update(Globals&, const std::vector<std::string>&);
int cmd_events(Globals&, const std::vector<std::string>&);
int cmd_features(Globals&, const std::vector<std::string>&);

// create and run share their flags.
std::vector<FlagSpec> create_flag_specs();
Result<runtime::CreateOptions> create_options(const Flags& f, const std::string& id);

}  // namespace berth::cli
