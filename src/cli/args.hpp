// Command-line flags the way docker's (pflag) parses them: long flags as
// --name=v or --name v, short flags combinable (-it, -dp 80:80), `--` ends
// flags, and for run/exec the first positional argument ends flags too
// (everything after it belongs to the container's command).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace berth::cli {

struct Flag {
  char short_name = 0;      // 0 = long only
  std::string long_name;
  std::string value_name;   // empty = boolean flag
  std::string help;
  std::string default_value;  // shown in help as (default "x")
};

class Args {
 public:
  bool has(const std::string& name) const;  // set at least once (bool: true)
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& all(const std::string& name) const;
  std::vector<std::string> positional;

  void add(const std::string& name, std::string value) { values_[name].push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct ParseOptions {
  bool stop_at_positional = false;  // run, exec, create
};

// Parses argv (without the command words). Unknown flags and missing
// values are InvalidArgument with pflag's wording.
Result<Args> parse_args(const std::vector<Flag>& flags, const std::vector<std::string>& argv,
                        ParseOptions options = {});

// The "Options:" block of a help text, aligned and wrapped to `cols`
// columns like cobra's.
std::string format_flags(const std::vector<Flag>& flags, size_t cols = 79);
// docker's wrap width: the terminal's on stdin less one, else 79.
size_t help_columns();

// Reads a boolean flag value ("true"/"false"/"1"/"0"); `--rm=false` works.
bool flag_true(const Args& args, const std::string& name);

}  // namespace berth::cli
