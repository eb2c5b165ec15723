#include "cli/args.hpp"

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

std::string format_flags(const std::vector<Flag>& unsorted) {
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
    out += "  " + left + std::string(width - left.size() + 3, ' ') + right + "\n";
  return out;
}

}  // namespace berth::cli
