// ps, logs, rm, container inspect, top, port, rename, wait.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/images.hpp"
#include "cli/streams.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

const std::map<std::string, std::string> kPsHeaders = {
    {"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"}, {"RunningFor", "CREATED"},
    {"CreatedAt", "CREATED AT"}, {"Status", "STATUS"}, {"Ports", "PORTS"}, {"Names", "NAMES"},
    {"Size", "SIZE"}, {"Labels", "LABELS"}, {"Mounts", "MOUNTS"}, {"Networks", "NETWORKS"},
    {"State", "STATE"}, {"LocalVolumes", "LOCAL VOLUMES"}};

std::string ports_text(const json::value& c) {
  std::vector<std::string> parts;
  auto* ports = c.get_object().if_contains("Ports");
  if (!ports || !ports->is_array()) return "";
  for (const auto& p : ports->get_array()) {
    std::string ip = str_field(p, "IP"), type = str_field(p, "Type");
    int64_t priv = int_field(p, "PrivatePort"), pub = int_field(p, "PublicPort");
    std::string text;
    if (!ip.empty() && pub) {
      text = (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(pub) + "->" +
             std::to_string(priv) + "/" + type;
    } else {
      text = std::to_string(priv) + "/" + type;
    }
    if (std::find(parts.begin(), parts.end(), text) == parts.end()) parts.push_back(text);
  }
  return join(parts, ", ");
}

std::string names_text(const json::value& c, bool trunc) {
  std::vector<std::string> names;
  if (auto* n = c.get_object().if_contains("Names"); n && n->is_array())
    for (const auto& e : n->get_array()) {
      std::string name = go_print(e);
      if (!trunc || split(name, '/').size() == 2) names.push_back(name.substr(1));
    }
  return join(names, ",");
}

std::string keys_text(const json::value& c, std::string_view key, bool with_values) {
  std::vector<std::string> out;
  auto* obj = c.get_object().if_contains(key);
  if (obj && obj->is_object())
    for (const auto& kv : obj->get_object())
      out.push_back(std::string(kv.key()) + (with_values ? "=" + go_print(kv.value()) : ""));
  std::sort(out.begin(), out.end());
  return join(out, ",");
}

json::object ps_row(const json::value& c, bool trunc) {
  std::string id = str_field(c, "Id"), image = str_field(c, "Image");
  if (trunc && image.rfind("sha256:", 0) == 0) image = short_id(image);
  std::string command = str_field(c, "Command");
  int64_t created = int_field(c, "Created");
  std::string networks;
  if (auto* ns = c.get_object().if_contains("NetworkSettings"); ns && ns->is_object())
    networks = keys_text(*ns, "Networks", false);
  std::vector<std::string> mounts;
  int64_t volumes = 0;
  if (auto* m = c.get_object().if_contains("Mounts"); m && m->is_array())
    for (const auto& e : m->get_array()) {
      std::string name = str_field(e, "Name");
      mounts.push_back(name.empty() ? str_field(e, "Source") : name);
      volumes += str_field(e, "Driver") == "local";
    }
  // docker's rule: the rw size, plus the virtual size when known.
  std::string size = human_size(static_cast<double>(int_field(c, "SizeRw")));
  if (int_field(c, "SizeRootFs") > 0)
    size += " (virtual " + human_size(static_cast<double>(int_field(c, "SizeRootFs"))) + ")";
  return json::object{{"Command", go_quote(trunc ? ellipsis(command, 20) : command)},
                      {"CreatedAt", go_time_string(created)},
                      {"ID", trunc ? short_id(id) : id},
                      {"Image", image},
                      {"Labels", keys_text(c, "Labels", true)},
                      {"LocalVolumes", std::to_string(volumes)},
                      {"Mounts", join(mounts, ",")},
                      {"Names", names_text(c, trunc)},
                      {"Networks", networks},
                      {"Platform", nullptr},
                      {"Ports", ports_text(c)},
                      {"RunningFor", human_duration(std::time(nullptr) - created) + " ago"},
                      {"Size", size},
                      {"State", str_field(c, "State")},
                      {"Status", str_field(c, "Status")}};
}

Result<int> ps_cmd(Context& ctx, const Args& args) {
  std::string q = "/containers/json?";
  if (flag_true(args, "all")) q += "all=1&";
  if (args.has("last")) q += "limit=" + args.get("last") + "&";
  else if (flag_true(args, "latest")) q += "limit=1&";
  // Like docker, ask for sizes when the template shows them.
  std::string fmt = args.get("format");
  if (flag_true(args, "size") || fmt.find(".Size") != std::string::npos || fmt.find("json .}}") != std::string::npos)
    q += "size=1&";
  if (args.has("filter")) q += "filters=" + filters_query(args.all("filter"));
  auto list = TRY(ctx.get_json(q));
  bool trunc = !flag_true(args, "no-trunc");
  std::vector<json::value> rows;
  for (const auto& c : list.get_array()) rows.push_back(ps_row(c, trunc));
  std::string def = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  if (flag_true(args, "size")) def += "\t{{.Size}}";
  std::string format = args.get("format");
  if (flag_true(args, "quiet")) format = "{{.ID}}";
  out(TRY(render_rows(format, def, rows, kPsHeaders)));
  return 0;
}

// Unix seconds for --since/--until: a Go duration ("10m", "1h30m") back
// from now, a Unix timestamp, or an RFC 3339 time.
std::string time_arg(const std::string& v) {
  if (v.empty()) return v;
  if (parse_int<int64_t>(v)) return v;
  if (v.find('.') != std::string::npos && v.find('T') == std::string::npos) return v;
  int64_t t = parse_rfc3339(v);
  if (t) return std::to_string(t);
  double total = 0, num = 0;
  std::string digits;
  for (char ch : v) {
    if ((ch >= '0' && ch <= '9') || ch == '.') {
      digits += ch;
      continue;
    }
    num = std::atof(digits.c_str());
    digits.clear();
    total += ch == 'h' ? num * 3600 : ch == 'm' ? num * 60 : ch == 's' ? num : 0;
  }
  return std::to_string(std::time(nullptr) - static_cast<int64_t>(total));
}

Result<int> logs_cmd(Context& ctx, const Args& args) {
  std::string name = args.positional[0];
  auto info = TRY(ctx.get_json("/containers/" + name + "/json"));
  bool tty = false;
  if (auto* cfg = info.get_object().if_contains("Config"); cfg && cfg->is_object())
    if (auto* t = cfg->get_object().if_contains("Tty"); t && t->is_bool()) tty = t->get_bool();
  std::string q = "/containers/" + name + "/logs?";
  if (flag_true(args, "follow")) q += "follow=1&";
  if (args.has("since")) q += "since=" + time_arg(args.get("since")) + "&";
  if (args.has("until")) q += "until=" + time_arg(args.get("until")) + "&";
  q += "stderr=1&stdout=1&tail=" + query_escape(args.get("tail", "all"));
  if (flag_true(args, "timestamps")) q += "&timestamps=1";
  OutputDemux demux(tty);
  Result<> failure = ok();
  TRY(ctx.stream("GET", q, [&](std::string_view piece) {
    failure = demux.feed(piece);
    return failure.has_value();
  }));
  TRY(failure);
  return 0;
}

// Runs `path_of(name)` for each argument, printing the name on success
// (docker's rm/stop/kill/pause...); errors are printed and make exit 1.
Result<int> each(Context& ctx, const Args& args, const std::string& method,
                 const std::function<std::string(const std::string&)>& path_of) {
  int rc = 0;
  for (const auto& name : args.positional) {
    auto res = ctx.checked(method, path_of(name));
    if (!res) {
      err(res.error().to_string() + "\n");
      rc = 1;
      continue;
    }
    out(name + "\n");
  }
  return rc;
}

Result<int> rm_cmd(Context& ctx, const Args& args) {
  std::string q;
  if (flag_true(args, "force")) q += "force=1&";
  if (flag_true(args, "volumes")) q += "v=1&";
  if (flag_true(args, "link")) q += "link=1&";
  if (!q.empty()) q = "?" + q.substr(0, q.size() - 1);
  return each(ctx, args, "DELETE", [&](const std::string& n) { return "/containers/" + n + q; });
}

Result<int> wait_cmd(Context& ctx, const Args& args) {
  int rc = 0;
  for (const auto& name : args.positional) {
    auto res = ctx.post_json("/containers/" + name + "/wait", nullptr);
    if (!res) {
      err(res.error().to_string() + "\n");
      rc = 1;
      continue;
    }
    out(std::to_string(int_field(*res, "StatusCode")) + "\n");
  }
  return rc;
}

Result<int> top_cmd(Context& ctx, const Args& args) {
  std::string q = "/containers/" + args.positional[0] + "/top";
  if (args.positional.size() > 1) {
    std::vector<std::string> ps_args(args.positional.begin() + 1, args.positional.end());
    q += "?ps_args=" + query_escape(join(ps_args, " "));
  }
  auto top = TRY(ctx.get_json(q));
  std::string text;
  std::vector<std::string> titles;
  for (const auto& t : top.at("Titles").get_array()) titles.push_back(go_print(t));
  text += join(titles, "\t") + "\n";
  if (auto* procs = top.get_object().if_contains("Processes"); procs && procs->is_array())
    for (const auto& p : procs->get_array()) {
      std::vector<std::string> cells;
      for (const auto& cell : p.get_array()) cells.push_back(go_print(cell));
      text += join(cells, "\t") + "\n";
    }
  out(tabwrite(text, 20, 1));
  return 0;
}

Result<int> port_cmd(Context& ctx, const Args& args) {
  auto info = TRY(ctx.get_json("/containers/" + args.positional[0] + "/json"));
  auto* ns = info.get_object().if_contains("NetworkSettings");
  auto* ports = ns && ns->is_object() ? ns->get_object().if_contains("Ports") : nullptr;
  std::vector<std::string> lines;
  std::string want = args.positional.size() > 1 ? args.positional[1] : "";
  if (!want.empty() && want.find('/') == std::string::npos) want += "/tcp";
  if (ports && ports->is_object())
    for (const auto& kv : ports->get_object()) {
      if (!want.empty() && kv.key() != want) continue;
      if (!kv.value().is_array()) continue;
      for (const auto& b : kv.value().get_array()) {
        std::string ip = str_field(b, "HostIp");
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        std::string line = ip + ":" + str_field(b, "HostPort");
        lines.push_back(want.empty() ? std::string(kv.key()) + " -> " + line : line);
      }
    }
  if (lines.empty() && !want.empty())
    return make_error(ErrorCategory::NotFound, "Error: No public port '" + args.positional[1] +
                                                   "' published for " + args.positional[0]);  // as typed
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) out(l + "\n");
  return 0;
}

}  // namespace

std::vector<Command> container_commands() {
  std::vector<Command> cmds;
  auto format = value_flag('f', "format", "string", "Format output using a custom template");
  cmds.push_back({"ps", {"container ls", "container list", "container ps"}, "[OPTIONS]", "List containers",
                  {bool_flag('a', "all", "Show all containers (default shows just running)"),
                   value_flag('f', "filter", "filter", "Filter output based on conditions provided"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   value_flag('n', "last", "int", "Show n last created containers (includes all states)", "-1"),
                   bool_flag('l', "latest", "Show the latest created container (includes all states)"),
                   bool_flag(0, "no-trunc", "Don't truncate output"),
                   bool_flag('q', "quiet", "Only display container IDs"),
                   bool_flag('s', "size", "Display total file sizes")},
                  0, 0, false, 1, ps_cmd});
  cmds.push_back({"logs", {"container logs"}, "[OPTIONS] CONTAINER", "Fetch the logs of a container",
                  {bool_flag(0, "details", "Show extra details provided to logs"),
                   bool_flag('f', "follow", "Follow log output"),
                   value_flag(0, "since", "string", "Show logs since timestamp or relative (e.g. 42m)"),
                   value_flag('n', "tail", "string", "Number of lines to show from the end of the logs", "\"all\""),
                   bool_flag('t', "timestamps", "Show timestamps"),
                   value_flag(0, "until", "string", "Show logs before a timestamp or relative (e.g. 42m)")},
                  1, 1, false, 1, logs_cmd});
  cmds.push_back({"rm", {"container rm", "container remove"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Remove one or more containers",
                  {bool_flag('f', "force", "Force the removal of a running container (uses SIGKILL)"),
                   bool_flag('l', "link", "Remove the specified link"),
                   bool_flag('v', "volumes", "Remove anonymous volumes associated with the container")},
                  1, -1, false, 1, rm_cmd});
  cmds.push_back({"container inspect", {}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Display detailed information on one or more containers",
                  {format, bool_flag('s', "size", "Display total file sizes")}, 1, -1, false, 1,
                  [](Context& c, const Args& a) { return inspect_typed(c, a, "containers"); }});
  cmds.push_back({"wait", {"container wait"}, "CONTAINER [CONTAINER...]",
                  "Block until one or more containers stop, then print their exit codes", {}, 1, -1, false, 1,
                  wait_cmd});
  cmds.push_back({"top", {"container top"}, "CONTAINER [ps OPTIONS]",
                  "Display the running processes of a container", {}, 1, -1, false, 1, top_cmd});
  cmds.push_back({"port", {"container port"}, "CONTAINER [PRIVATE_PORT[/PROTO]]",
                  "List port mappings or a specific mapping for the container", {}, 1, 2, false, 1, port_cmd});
  return cmds;
}

Result<int> each_container(Context& ctx, const Args& args, const std::string& method,
                           const std::function<std::string(const std::string&)>& path_of) {
  return each(ctx, args, method, path_of);
}

}  // namespace berth::cli
