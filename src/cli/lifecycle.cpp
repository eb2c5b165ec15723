// stop, kill, restart, pause, unpause, rename.
#include "cli/command.hpp"

namespace berth::cli {
namespace {

std::string with_query(const std::string& path, const std::vector<std::pair<std::string, std::string>>& q) {
  std::string out = path;
  char sep = '?';
  for (const auto& [k, v] : q) {
    if (v.empty()) continue;
    out += sep + k + "=" + query_escape(v);
    sep = '&';
  }
  return out;
}

// docker 28 calls it --timeout; --time is the older spelling.
std::string timeout(const Args& args) { return args.get("timeout", args.get("time")); }

Result<int> stop_cmd(Context& ctx, const Args& args) {
  return each_container(ctx, args, "POST", [&](const std::string& n) {
    return with_query("/containers/" + n + "/stop", {{"signal", args.get("signal")}, {"t", timeout(args)}});
  });
}

Result<int> restart_cmd(Context& ctx, const Args& args) {
  return each_container(ctx, args, "POST", [&](const std::string& n) {
    return with_query("/containers/" + n + "/restart", {{"signal", args.get("signal")}, {"t", timeout(args)}});
  });
}

Result<int> kill_cmd(Context& ctx, const Args& args) {
  return each_container(ctx, args, "POST", [&](const std::string& n) {
    return with_query("/containers/" + n + "/kill", {{"signal", args.get("signal")}});
  });
}

Result<int> rename_cmd(Context& ctx, const Args& args) {
  auto res = ctx.checked("POST", "/containers/" + args.positional[0] + "/rename?name=" +
                                    query_escape(args.positional[1]));
  if (res) return 0;
  // docker adds a second line naming the container it could not rename.
  err(res.error().to_string() + "\n");
  return make_error(res.error().category(),
                    "Error: failed to rename container named " + args.positional[0]);
}

}  // namespace

std::vector<Command> lifecycle_commands() {
  std::vector<Command> cmds;
  auto signal = value_flag('s', "signal", "string", "Signal to send to the container");
  auto time = value_flag('t', "timeout", "int", "Seconds to wait before killing the container");
  cmds.push_back({"stop", {"container stop"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Stop one or more running containers", {signal, time, value_flag(0, "time", "int", "Same as --timeout (the older name)")}, 1, -1, false, 1, stop_cmd});
  cmds.push_back({"restart", {"container restart"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Restart one or more containers", {signal, time, value_flag(0, "time", "int", "Same as --timeout (the older name)")}, 1, -1, false, 1, restart_cmd});
  cmds.push_back({"kill", {"container kill"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Kill one or more running containers", {signal}, 1, -1, false, 1, kill_cmd});
  cmds.push_back({"pause", {"container pause"}, "CONTAINER [CONTAINER...]",
                  "Pause all processes within one or more containers", {}, 1, -1, false, 1,
                  [](Context& c, const Args& a) {
                    return each_container(c, a, "POST", [](const std::string& n) { return "/containers/" + n + "/pause"; });
                  }});
  cmds.push_back({"unpause", {"container unpause"}, "CONTAINER [CONTAINER...]",
                  "Unpause all processes within one or more containers", {}, 1, -1, false, 1,
                  [](Context& c, const Args& a) {
                    return each_container(c, a, "POST", [](const std::string& n) { return "/containers/" + n + "/unpause"; });
                  }});
  cmds.push_back({"rename", {"container rename"}, "CONTAINER NEW_NAME", "Rename a container", {}, 2, 2, false, 1,
                  rename_cmd});
  return cmds;
}

}  // namespace berth::cli
