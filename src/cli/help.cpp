// Help texts: the global one grouped as docker groups it (common commands,
// management commands, the rest), a group's ("berth volume"), and each
// command's usage, aliases, options and examples.
#include "cli/help.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/strings.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace {

// What people type most, in docker's order.
const char* const kCommon[] = {"run", "exec", "ps", "pull", "push", "images", "login", "logout", "version", "info"};

const std::map<std::string, std::string>& group_summaries() {
  static const std::map<std::string, std::string> m = {
      {"builder", "Manage builds"},       {"container", "Manage containers"}, {"image", "Manage images"},
      {"network", "Manage networks"},     {"system", "Manage berth"},         {"volume", "Manage volumes"}};
  return m;
}

// Worked examples for the commands people reach for first.
const std::map<std::string, std::string>& examples() {
  static const std::map<std::string, std::string> m = {
      {"run",
       "  berth run --rm busybox echo hello\n"
       "  berth run -it --name shell busybox sh\n"
       "  berth run -d -p 8080:80 -e MODE=prod --restart unless-stopped nginx\n"
       "  berth run --mount type=bind,src=$PWD,dst=/src,readonly -w /src busybox ls\n"
       "  berth run --ulimit nofile=1024:2048 --health-cmd 'wget -q localhost' --health-interval 30s nginx\n"},
      {"create", "  berth create --name web -p 80:80 nginx\n  berth start -a web\n"},
      {"exec", "  berth exec -it web sh\n  berth exec -e V=1 -w /etc web cat hostname\n"},
      {"ps",
       "  berth ps -a\n  berth ps --filter status=exited -q\n"
       "  berth ps --format 'table {{.Names}}\\t{{.Status}}'\n"},
      {"logs", "  berth logs -f --tail 10 web\n  berth logs --since 10m -t web\n"},
      {"images", "  berth images --filter reference=busybox\n  berth images --format '{{.Repository}}:{{.Tag}}'\n"},
      {"pull", "  berth pull busybox\n  berth pull 127.0.0.1:5000/team/app:1.2\n"},
      {"push", "  berth tag app 127.0.0.1:5000/team/app:1.2\n  berth push 127.0.0.1:5000/team/app:1.2\n"},
      {"inspect", "  berth inspect --format '{{.State.Status}}' web\n  berth inspect --type image busybox\n"},
      {"cp", "  berth cp ./config.toml web:/etc/app/\n  berth cp web:/var/log/app.log .\n"},
      {"stats", "  berth stats\n  berth stats --no-stream --format '{{.Name}} {{.CPUPerc}}' web\n"},
      {"update", "  berth update --memory 256m --memory-swap 512m --cpus 1.5 web\n  berth update --restart always web\n"},
      {"commit", "  berth commit -m 'with tools' -c 'ENV DEBUG=1' web web:debug\n"},
      {"export", "  berth export -o web.tar web\n"},
      {"import", "  berth import web.tar web:flat\n  cat web.tar | berth import -m imported - web:flat\n"},
      {"save", "  berth save -o busybox.tar busybox\n"},
      {"load", "  berth load -i busybox.tar\n"},
      {"history", "  berth history --no-trunc busybox\n"},
      {"events", "  berth events --since 10m --filter type=container --format '{{.Action}} {{.Actor.ID}}'\n"},
      {"system prune", "  berth system prune -f\n  berth system prune -a --volumes\n"},
      {"volume create", "  berth volume create --label team=a data\n"},
      {"network create", "  berth network create --subnet 10.10.0.0/24 backend\n"},
  };
  return m;
}

// Sub-commands of a group: per command, its first name (or alias) that is
// "group word" ("container ls" for ps; "container list" is not listed).
std::map<std::string, std::string> group_members(const std::string& group) {
  std::map<std::string, std::string> rows;
  for (const auto& c : all_commands()) {
    std::vector<std::string> names = {c.name};
    names.insert(names.end(), c.aliases.begin(), c.aliases.end());
    for (const auto& n : names)
      if (n.rfind(group + " ", 0) == 0 && n.find(' ', group.size() + 1) == std::string::npos) {
        rows.emplace(n.substr(group.size() + 1), c.summary);
        break;
      }
  }
  return rows;
}

std::string rows_block(const std::string& title, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string text;
  for (const auto& [name, summary] : rows) text += "  " + name + "\t" + summary + "\n";
  return "\n" + title + ":\n" + tabwrite(text, 0, 2);
}

}  // namespace

std::vector<std::string> alias_line(const Command& c) {
  std::vector<std::string> names = c.aliases;
  // A top-level shortcut ("ps") comes after its group forms ("container ls").
  if (c.name.find(' ') == std::string::npos) names.push_back(c.name);
  else names.insert(names.begin(), c.name);
  return names;
}

bool is_group(const std::string& word) { return !group_members(word).empty(); }

std::string command_help(const Command& c, const std::string& invoked) {
  const std::string& name = invoked.empty() ? c.name : invoked;
  std::string text = "Usage:  berth " + name + (c.usage.empty() ? "" : " " + c.usage) + "\n\n";
  text += c.summary + "\n";
  if (!c.aliases.empty()) text += "\nAliases:\n  berth " + join(alias_line(c), ", berth ") + "\n";
  if (!c.flags.empty()) text += "\n" + format_flags(c.flags, help_columns());
  if (auto it = examples().find(c.name); it != examples().end()) text += "\nExamples:\n" + it->second;
  return text;
}

std::string group_help(const std::string& group) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (auto& [name, summary] : group_members(group)) rows.emplace_back(name, summary);
  auto it = group_summaries().find(group);
  return "Usage:  berth " + group + " COMMAND\n\n" + (it == group_summaries().end() ? "" : it->second + "\n") +
         rows_block("Commands", rows) + "\nRun 'berth " + group + " COMMAND --help' for more information on a command.\n";
}

std::string global_help() {
  std::vector<std::pair<std::string, std::string>> common, groups, rest;
  std::set<std::string> seen;
  for (const char* name : kCommon)
    for (const auto& c : all_commands())
      if (c.name == name) common.emplace_back(c.name, c.summary), seen.insert(c.name);
  for (const auto& [group, summary] : group_summaries())
    if (is_group(group)) groups.emplace_back(group, summary), seen.insert(group);
  for (const auto& c : all_commands())
    if (c.name.find(' ') == std::string::npos && !seen.count(c.name)) rest.emplace_back(c.name, c.summary);
  std::sort(rest.begin(), rest.end());
  return "Usage:  berth [OPTIONS] COMMAND\n\nA container engine that speaks the Docker Engine API\n" +
         rows_block("Common Commands", common) + rows_block("Management Commands", groups) +
         rows_block("Commands", rest) +
         "\nGlobal Options:\n"
         "      --config string      Location of client config files (default \"~/.docker\")\n"
         "  -D, --debug              Enable debug mode\n"
         "  -H, --host string        Daemon socket to connect to (unix:// or tcp://); else BERTH_HOST,\n"
         "                           DOCKER_HOST, then /run/berth/berth.sock, /var/run/docker.sock\n"
         "  -l, --log-level string   Set the logging level (\"debug\", \"info\", \"warn\", \"error\",\n"
         "                           \"fatal\") (default \"info\")\n"
         "  -v, --version            Print version information and quit\n"
         "  -h, --help               Print usage\n\n"
         "Run 'berth COMMAND --help' for more information on a command.\n"
         "Run 'berth completion bash' for a bash completion script.\n";
}

}  // namespace berth::cli
