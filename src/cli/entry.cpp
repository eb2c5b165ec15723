// main(): global flags, command lookup (one or two words), help text,
// argument counts and docker's error output.
#include <algorithm>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

#include "base/strings.hpp"
#include "base/version.hpp"
#include "cli/command.hpp"
#include "cli/completion.hpp"
#include "cli/format.hpp"
#include "cli/help.hpp"

namespace berth::cli {
namespace json = boost::json;

void out(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(1, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

void err(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(2, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string str_field(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  auto* f = v.get_object().if_contains(key);
  return f && f->is_string() ? std::string(f->get_string()) : std::string();
}

int64_t int_field(const json::value& v, std::string_view key) {
  if (!v.is_object()) return 0;
  auto* f = v.get_object().if_contains(key);
  if (!f || !f->is_number()) return 0;
  return f->is_int64() ? f->get_int64() : f->is_uint64() ? static_cast<int64_t>(f->get_uint64())
                                                          : static_cast<int64_t>(f->get_double());
}

std::string short_id(std::string id) {
  if (id.rfind("sha256:", 0) == 0) id.erase(0, 7);
  return id.substr(0, 12);
}

std::string filters_query(const std::vector<std::string>& filters) {
  if (filters.empty()) return "";
  json::object merged;  // keys may repeat: {"label":{"a":true,"b":true}}
  for (const auto& f : filters) {
    auto [k, v, found] = split_once(f, '=');
    (void)found;
    auto& slot = merged[std::string(k)];
    if (!slot.is_object()) slot.emplace_object();
    slot.get_object()[std::string(v)] = true;
  }
  return query_escape(json::serialize(merged));
}

Result<int> print_inspect(const std::vector<std::string>& raw, const std::string& format) {
  if (format.empty()) {
    std::string joined = "[";
    for (size_t i = 0; i < raw.size(); ++i) joined += (i ? "," : "") + std::string(trim(raw[i]));
    out(indent_json(joined + "]") + "\n");
    return 0;
  }
  auto tmpl = TRY(Template::parse(format));
  tmpl.keep_key_order();
  for (const auto& r : raw) out(TRY(tmpl.render(TRY(parse_json(r)))));
  return 0;
}

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    for (auto group : {run_commands, container_commands, lifecycle_commands, manage_commands, image_commands,
                       network_commands, volume_commands, prune_commands, system_commands, event_commands,
                       registry_commands, exec_commands, cp_commands, bootstrap_commands, search_commands})
      for (auto& c : group()) all.push_back(std::move(c));
    return all;
  }();
  return commands;
}

namespace {

// The longest prefix of words naming a command ("network ls" before "network").
const Command* find_command(const std::vector<std::string>& words, size_t& used) {
  for (size_t n = std::min<size_t>(2, words.size()); n > 0; --n) {
    std::vector<std::string> head(words.begin(), words.begin() + static_cast<long>(n));
    std::string name = join(head, " ");
    for (const auto& c : all_commands()) {
      if (c.name == name || std::find(c.aliases.begin(), c.aliases.end(), name) != c.aliases.end()) {
        used = n;
        return &c;
      }
    }
  }
  return nullptr;
}

// The docker CLI's wording per kind of argument rule (cli/required.go):
// only RequiresMinArgs says "See ...", the others "Run ...".
std::string count_error(const Command& c) {
  auto args = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  std::string what, verb = "Run";
  if (c.min_args == c.max_args) {
    what = c.min_args == 0 ? "accepts no arguments" : "requires " + args(c.min_args);
  } else if (c.max_args < 0) {
    what = "requires at least " + args(c.min_args);
    verb = "See";
  } else if (c.min_args == 0) {
    what = "requires at most " + args(c.max_args);
  } else {
    what = "requires at least " + std::to_string(c.min_args) + " and at most " + args(c.max_args);
  }
  return "berth: 'berth " + c.name + "' " + what + "\n\nUsage:  berth " + c.name + " " + c.usage + "\n\n" + verb +
         " 'berth " + c.name + " --help' for more information\n";
}

int dispatch(const Command& c, const std::string& invoked, const std::vector<std::string>& argv,
             const std::string& host) {
  for (const auto& a : argv) {
    if (a == "--") break;
    if (a == "--help" || (a == "-h" && c.name != "run" && c.name != "create")) return out(command_help(c, invoked)), 0;
    if (c.stop_at_positional && !a.empty() && a[0] != '-') break;
  }
  auto args = parse_args(c.flags, argv, {c.stop_at_positional});
  if (!args) {
    // cobra's flag errors: the message, the usage line, exit 125.
    err(args.error().message() + "\n\nUsage:  berth " + c.name + (c.usage.empty() ? "" : " " + c.usage) +
        "\n\nRun 'berth " + c.name + " --help' for more information\n");
    return 125;
  }
  size_t n = args->positional.size();
  if (static_cast<int>(n) < c.min_args || (c.max_args >= 0 && static_cast<int>(n) > c.max_args)) {
    err(count_error(c));
    return c.error_exit == 125 ? 125 : 1;
  }
  Context ctx(choose_host(host));
  auto rc = c.run(ctx, *args);
  if (rc) return *rc;
  if (c.error_exit == 125) {
    err("berth: " + rc.error().to_string() + "\n\nRun 'berth " + c.name +
        " --help' for more information\n");
  } else {
    err(rc.error().to_string() + "\n");
  }
  return c.error_exit;
}

}  // namespace

int main_entry(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  std::string host;
  size_t i = 0;
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if ((w == "-H" || w == "--host" || w == "--config" || w == "-l" || w == "--log-level") &&
        i + 1 < words.size()) {
      if (w == "-H" || w == "--host") host = words[i + 1];
      ++i;
    } else if (w.rfind("--host=", 0) == 0) {
      host = w.substr(7);
    } else if (w.rfind("--config=", 0) == 0 || w.rfind("--log-level=", 0) == 0 || w == "-D" ||
               w == "--debug") {
    } else if (w == "-v" || w == "--version") {
      out(std::string("berth version ") + BERTH_VERSION + ", build " + git_commit() + "\n");
      return 0;
    } else if (w == "-h" || w == "--help") {
      out(global_help());
      return 0;
    } else if (!w.empty() && w[0] == '-') {
      err("unknown flag: " + w + "\nSee 'berth --help'.\n");
      return 125;
    } else {
      break;
    }
  }
  words.erase(words.begin(), words.begin() + static_cast<long>(i));
  if (words.empty()) return out(global_help()), 0;
  if (words[0] == "completion") return print_completion(words);
  if (words[0] == "help") {
    size_t used = 0;
    std::vector<std::string> rest(words.begin() + 1, words.end());
    const Command* c = rest.empty() ? nullptr : find_command(rest, used);
    if (!c && !rest.empty() && is_group(rest[0])) return out(group_help(rest[0])), 0;
    return out(c ? command_help(*c, join(std::vector<std::string>(rest.begin(), rest.begin() + static_cast<long>(used)), " "))
                 : global_help()), 0;
  }
  size_t used = 0;
  const Command* c = find_command(words, used);
  if (!c && is_group(words[0])) {  // "berth volume" lists the group's commands, as docker does
    if (words.size() == 1 || words[1] == "--help" || words[1] == "-h") return out(group_help(words[0])), 0;
    err("berth: unknown command: berth " + words[0] + " " + words[1] + "\n\nRun 'berth " + words[0] +
        " --help' for more information\n");
    return 1;
  }
  if (!c) {
    err("berth: unknown command: berth " + words[0] + "\n\nRun 'berth --help' for more information\n");
    return 1;
  }
  return dispatch(*c, join(std::vector<std::string>(words.begin(), words.begin() + static_cast<long>(used)), " "),
                  std::vector<std::string>(words.begin() + static_cast<long>(used), words.end()), host);
}

}  // namespace berth::cli
