// network ls/create/rm/inspect/connect/disconnect.
#include <algorithm>
#include <boost/json/serialize.hpp>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/images.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

Result<int> ls_cmd(Context& ctx, const Args& args) {
  std::string q = "/networks";
  if (args.has("filter")) q += "?filters=" + filters_query(args.all("filter"));
  auto list = TRY(ctx.get_json(q));
  bool trunc = !flag_true(args, "no-trunc");
  std::vector<json::value> rows;
  for (const auto& n : list.get_array()) {
    auto bool_text = [&](const char* k) {
      auto* v = n.get_object().if_contains(k);
      return v && v->is_bool() && v->get_bool() ? std::string("true") : std::string("false");
    };
    std::string id = str_field(n, "Id");
    rows.push_back(json::object{{"CreatedAt", str_field(n, "Created")}, {"Driver", str_field(n, "Driver")},
                                {"ID", trunc ? short_id(id) : id}, {"IPv6", bool_text("EnableIPv6")},
                                {"Internal", bool_text("Internal")}, {"Labels", ""},
                                {"Name", str_field(n, "Name")}, {"Scope", str_field(n, "Scope")}});
  }
  // The daemon's order is not stable; docker sorts by name.
  std::sort(rows.begin(), rows.end(), [](const json::value& a, const json::value& b) {
    return str_field(a, "Name") < str_field(b, "Name");
  });
  std::string format = args.get("format");
  if (flag_true(args, "quiet")) format = "{{.ID}}";
  out(TRY(render_rows(format, "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", rows,
                      {{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Scope", "SCOPE"},
                       {"IPv6", "IPV6"}, {"Internal", "INTERNAL"}, {"CreatedAt", "CREATED AT"}})));
  return 0;
}

json::value opt_map(const std::vector<std::string>& items) {
  json::object m;
  for (const auto& i : items) {
    auto [k, v, found] = split_once(i, '=');
    (void)found;
    m[std::string(k)] = std::string(v);
  }
  return m;
}

Result<int> create_cmd(Context& ctx, const Args& args) {
  json::array configs;
  const auto& subnets = args.all("subnet");
  const auto& gateways = args.all("gateway");
  const auto& ranges = args.all("ip-range");
  for (size_t i = 0; i < subnets.size(); ++i) {
    json::object c{{"Subnet", subnets[i]}};
    if (i < gateways.size()) c["Gateway"] = gateways[i];
    if (i < ranges.size()) c["IPRange"] = ranges[i];
    configs.push_back(c);
  }
  json::object body{{"Name", args.positional[0]}, {"Driver", args.get("driver", "bridge")},
                    {"Scope", ""}, {"EnableIPv6", flag_true(args, "ipv6")},
                    {"IPAM", json::object{{"Driver", "default"}, {"Config", configs}, {"Options", json::object()}}},
                    {"Internal", flag_true(args, "internal")}, {"Attachable", flag_true(args, "attachable")},
                    {"Ingress", false}, {"ConfigOnly", false}, {"ConfigFrom", nullptr},
                    {"Options", opt_map(args.all("opt"))}, {"Labels", opt_map(args.all("label"))}};
  if (!ctx.api_at_least("1.44")) body["CheckDuplicate"] = true;
  auto res = TRY(ctx.post_json("/networks/create", body));
  out(str_field(res, "Id") + "\n");
  return 0;
}

// Like docker's: each failure on its own line, then "exit status 1";
// -f skips networks that do not exist.
Result<int> rm_cmd(Context& ctx, const Args& args) {
  int rc = 0;
  for (const auto& n : args.positional) {
    auto res = ctx.checked("DELETE", "/networks/" + n);
    if (!res) {
      if (flag_true(args, "force") && res.error().is(ErrorCategory::NotFound)) continue;
      err(res.error().to_string() + "\n");
      rc = 1;
      continue;
    }
    out(n + "\n");
  }
  if (rc) err("exit status 1\n");
  return rc;
}

Result<int> connect_cmd(Context& ctx, const Args& args) {
  json::object endpoint;
  if (args.has("alias")) {
    json::array a;
    for (const auto& s : args.all("alias")) a.emplace_back(s);
    endpoint["Aliases"] = a;
  }
  if (args.has("ip") || args.has("ip6"))
    endpoint["IPAMConfig"] = json::object{{"IPv4Address", args.get("ip")}, {"IPv6Address", args.get("ip6")}};
  TRY(ctx.post_json("/networks/" + args.positional[0] + "/connect",
                    json::object{{"Container", args.positional[1]}, {"EndpointConfig", endpoint}}));
  return 0;
}

Result<int> disconnect_cmd(Context& ctx, const Args& args) {
  TRY(ctx.post_json("/networks/" + args.positional[0] + "/disconnect",
                    json::object{{"Container", args.positional[1]}, {"Force", flag_true(args, "force")}}));
  return 0;
}

}  // namespace

std::vector<Command> network_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"network ls", {"network list"}, "[OPTIONS]", "List networks",
                  {value_flag('f', "filter", "filter", "Provide filter values (e.g. \"driver=bridge\")"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag(0, "no-trunc", "Do not truncate the output"),
                   bool_flag('q', "quiet", "Only display network IDs")},
                  0, 0, false, 1, ls_cmd});
  cmds.push_back({"network create", {}, "[OPTIONS] NETWORK", "Create a network",
                  {bool_flag(0, "attachable", "Enable manual container attachment"),
                   value_flag('d', "driver", "string", "Driver to manage the Network", "\"bridge\""),
                   value_flag(0, "gateway", "strings", "IPv4 or IPv6 Gateway for the master subnet"),
                   bool_flag(0, "internal", "Restrict external access to the network"),
                   value_flag(0, "ip-range", "strings", "Allocate container ip from a sub-range"),
                   bool_flag(0, "ipv6", "Enable or disable IPv6 networking"),
                   value_flag(0, "label", "list", "Set metadata on a network"),
                   value_flag('o', "opt", "map", "Set driver specific options", "map[]"),
                   value_flag(0, "subnet", "strings", "Subnet in CIDR format that represents a network segment")},
                  1, 1, false, 1, create_cmd});
  cmds.push_back({"network rm", {"network remove"}, "NETWORK [NETWORK...]", "Remove one or more networks",
                  {bool_flag('f', "force", "Do not error if the network does not exist")}, 1, -1, false, 1, rm_cmd});
  cmds.push_back({"network inspect", {}, "[OPTIONS] NETWORK [NETWORK...]",
                  "Display detailed information on one or more networks",
                  {value_flag('f', "format", "string", "Format output using a custom template"),
                   bool_flag('v', "verbose", "Verbose output for diagnostics")},
                  1, -1, false, 1, [](Context& c, const Args& a) { return inspect_typed(c, a, "networks"); }});
  cmds.push_back({"network connect", {}, "[OPTIONS] NETWORK CONTAINER", "Connect a container to a network",
                  {value_flag(0, "alias", "strings", "Add network-scoped alias for the container"),
                   value_flag(0, "ip", "string", "IPv4 address (e.g., \"172.30.100.104\")"),
                   value_flag(0, "ip6", "string", "IPv6 address (e.g., \"2001:db8::33\")")},
                  2, 2, false, 1, connect_cmd});
  cmds.push_back({"network disconnect", {}, "[OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network",
                  {bool_flag('f', "force", "Force the container to disconnect from a network")}, 2, 2, false, 1,
                  disconnect_cmd});
  return cmds;
}

}  // namespace berth::cli
