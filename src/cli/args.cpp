#include "cli/args.hpp"

#include <sys/ioctl.h>

#include <algorithm>

namespace berth::cli {
namespace {

const Flag* find_long(const std::vector<Flag>& flags, std::string_view name) {
  for (const auto& f : flags)
    if (f.long_name == name) return &f;
  return nullptr;
}

const Flag* find_short(const std::vector<Flag>& flags, char c) {
  for (const auto& f : flags)
    if (f.short_name == c) return &f;
  return nullptr;
}

Unexpected usage(std::string message) {
  return make_error(ErrorCategory::InvalidArgument, std::move(message));
}

// One "--name[=value]" word; may consume the next word as the value.
Result<> parse_long(const std::vector<Flag>& flags, const std::vector<std::string>& argv,
                    size_t& i, Args& out) {
  std::string word = argv[i].substr(2);
  auto eq = word.find('=');
  std::string name = word.substr(0, eq);
  const Flag* f = find_long(flags, name);
  if (!f) return usage("unknown flag: --" + name);
  if (f->value_name.empty()) {
    out.add(name, eq == std::string::npos ? "true" : word.substr(eq + 1));
    return ok();
  }
  if (eq != std::string::npos) {
    out.add(name, word.substr(eq + 1));
  } else {
    if (i + 1 >= argv.size()) return usage("flag needs an argument: --" + name);
    out.add(name, argv[++i]);
  }
  return ok();
}

// "-abc", "-e" "X", "-eX", "-e=X".
Result<> parse_short(const std::vector<Flag>& flags, const std::vector<std::string>& argv,
                     size_t& i, Args& out) {
  const std::string& word = argv[i];
  for (size_t j = 1; j < word.size(); ++j) {
    const Flag* f = find_short(flags, word[j]);
    if (!f) return usage(std::string("unknown shorthand flag: '") + word[j] + "' in " + word);
    if (f->value_name.empty()) {
      if (j + 1 < word.size() && word[j + 1] == '=') {  // "-H=false"
        out.add(f->long_name, word.substr(j + 2));
        return ok();
      }
      out.add(f->long_name, "true");
      continue;
    }
    std::string rest = word.substr(j + 1);
    if (!rest.empty() && rest[0] == '=') rest.erase(0, 1);
    if (rest.empty()) {
      if (j + 1 < word.size() || i + 1 >= argv.size())
        return usage(std::string("flag needs an argument: '") + word[j] + "' in -" + word[j]);
      rest = argv[++i];
    }
    out.add(f->long_name, rest);
    return ok();
  }
  return ok();
}

}  // namespace

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> empty;
  auto it = values_.find(name);
  return it == values_.end() ? empty : it->second;
}

bool flag_true(const Args& args, const std::string& name) {
  if (!args.has(name)) return false;
  std::string v = args.get(name);
  return v != "false" && v != "0" && v != "False" && v != "FALSE";
}

Result<Args> parse_args(const std::vector<Flag>& flags, const std::vector<std::string>& argv,
                        ParseOptions options) {
  Args out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      out.positional.insert(out.positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (word.size() > 2 && word.compare(0, 2, "--") == 0) {
      TRY(parse_long(flags, argv, i, out));
    } else if (word.size() > 1 && word[0] == '-') {
      TRY(parse_short(flags, argv, i, out));
    } else if (options.stop_at_positional) {
      out.positional.insert(out.positional.end(), argv.begin() + static_cast<long>(i), argv.end());
      break;
    } else {
      out.positional.push_back(word);
    }
  }
  return out;
}

namespace {

// pflag's wrapN: the text up to `width` characters cut at the last blank,
// allowed `slop` characters over when that takes the rest.
std::pair<std::string, std::string> wrap_line(const std::string& s, size_t width, size_t slop) {
  if (width + slop > s.size()) return {s, ""};
  size_t blank = s.find_last_of(" \t\n", width - 1);
  if (blank == std::string::npos || blank == 0) return {s, ""};
  size_t nl = s.rfind('\n', width - 1);
  if (nl != std::string::npos && nl > 0 && nl < blank) return {s.substr(0, nl), s.substr(nl + 1)};
  return {s.substr(0, blank), s.substr(blank + 1)};
}

std::string indent_newlines(const std::string& s, size_t indent) {
  std::string out;
  for (char c : s) out += c == '\n' ? "\n" + std::string(indent, ' ') : std::string(1, c);
  return out;
}

// A flag description wrapped to `cols` columns, starting at column
// `indent`, the way cobra/pflag lays out docker's help (too narrow: the
// text moves to its own lines at column 16).
std::string wrap_help(std::string text, size_t indent, size_t cols) {
  std::string out;
  if (cols < indent + 24) {
    indent = 16;
    out = "\n" + std::string(indent, ' ');
  }
  if (cols < indent + 24) return out + indent_newlines(text, indent);
  const size_t slop = 5, width = cols - indent - slop;
  auto [first, rest] = wrap_line(text, width, slop);
  out += indent_newlines(first, indent);
  while (!rest.empty()) {
    auto [line, more] = wrap_line(rest, width, slop);
    out += "\n" + std::string(indent, ' ') + indent_newlines(line, indent);
    rest = more;
  }
  return out;
}

}  // namespace

size_t help_columns() {
  winsize ws{};
  int width = ::ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  return static_cast<size_t>(width - 1);  // docker's wrappedFlagUsages
}

std::string format_flags(const std::vector<Flag>& unsorted, size_t cols) {
  std::vector<Flag> flags = unsorted;  // cobra lists flags by long name
  std::sort(flags.begin(), flags.end(), [](const Flag& a, const Flag& b) { return a.long_name < b.long_name; });
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const auto& f : flags) {
    std::string left = f.short_name ? std::string("-") + f.short_name + ", " : "    ";
    left += "--" + f.long_name;
    if (!f.value_name.empty()) left += " " + f.value_name;
    std::string right = f.help;
    if (!f.default_value.empty()) right += " (default " + f.default_value + ")";
    width = std::max(width, left.size());
    rows.emplace_back(std::move(left), std::move(right));
  }
  std::string out = "Options:\n";
  for (auto& [left, right] : rows)
    out += "  " + left + std::string(width - left.size() + 3, ' ') + wrap_help(right, width + 5, cols) + "\n";
  return out;
}

}  // namespace berth::cli
