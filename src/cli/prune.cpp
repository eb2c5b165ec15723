// container/image/network/volume/builder/system prune and the volume
// commands: docker's confirmation prompt, its "Deleted ...:" reports and
// "Total reclaimed space" (go-units HumanSize, 4 significant digits).
#include <unistd.h>

#include <algorithm>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/images.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

// docker's prompt goes to stdout; only "y"/"yes" (any case) confirms.
bool confirmed(const Args& args, const std::string& warning) {
  if (flag_true(args, "force")) return true;
  out(warning + "\nAre you sure you want to continue? [y/N] ");
  std::string line;
  char c;
  while (::read(0, &c, 1) == 1 && c != '\n') line += c;
  std::string answer = to_lower(trim(line));
  return answer == "y" || answer == "yes";
}

std::string total(int64_t bytes) { return "Total reclaimed space: " + human_size(static_cast<double>(bytes), 4) + "\n"; }

json::array array_field(const json::value& v, const char* key) {
  auto* f = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  return f && f->is_array() ? f->get_array() : json::array();
}

// One prune: the report lines and the space it freed.
struct Pruned {
  std::string report;
  int64_t space = 0;
};

Result<Pruned> prune_containers(Context& ctx, const std::vector<std::string>& filters) {
  std::string q = "/containers/prune";
  if (!filters.empty()) q += "?filters=" + filters_query(filters);
  auto r = TRY(ctx.post_json(q, nullptr));
  Pruned p;
  auto ids = array_field(r, "ContainersDeleted");
  if (ids.empty()) return p;
  p.report = "Deleted Containers:\n";
  for (const auto& id : ids) p.report += go_print(id) + "\n";
  p.space = int_field(r, "SpaceReclaimed");
  return p;
}

Result<Pruned> prune_images(Context& ctx, std::vector<std::string> filters, bool all) {
  filters.push_back(all ? "dangling=false" : "dangling=true");
  auto r = TRY(ctx.post_json("/images/prune?filters=" + filters_query(filters), nullptr));
  Pruned p;
  auto deleted = array_field(r, "ImagesDeleted");
  if (deleted.empty()) return p;
  p.report = "Deleted Images:\n";
  for (const auto& d : deleted) {
    std::string untagged = str_field(d, "Untagged");
    p.report += untagged.empty() ? "deleted: " + str_field(d, "Deleted") + "\n" : "untagged: " + untagged + "\n";
  }
  p.space = int_field(r, "SpaceReclaimed");
  return p;
}

Result<Pruned> prune_networks(Context& ctx, const std::vector<std::string>& filters) {
  std::string q = "/networks/prune";
  if (!filters.empty()) q += "?filters=" + filters_query(filters);
  auto r = TRY(ctx.post_json(q, nullptr));
  Pruned p;
  auto names = array_field(r, "NetworksDeleted");
  if (names.empty()) return p;
  p.report = "Deleted Networks:\n";
  for (const auto& n : names) p.report += go_print(n) + "\n";
  return p;
}

Result<Pruned> prune_volumes(Context& ctx, std::vector<std::string> filters, bool all) {
  if (all) filters.push_back("all=true");
  std::string q = "/volumes/prune";
  if (!filters.empty()) q += "?filters=" + filters_query(filters);
  auto r = TRY(ctx.post_json(q, nullptr));
  Pruned p;
  auto names = array_field(r, "VolumesDeleted");
  if (names.empty()) return p;
  p.report = "Deleted Volumes:\n";
  for (const auto& n : names) p.report += go_print(n) + "\n";
  p.space = int_field(r, "SpaceReclaimed");
  return p;
}

// Build cache; a daemon without a builder (berthd) answers 404.
Result<Pruned> prune_build_cache(Context& ctx, const std::vector<std::string>& filters, bool all,
                                 bool missing_ok) {
  std::string q = std::string("/build/prune?all=") + (all ? "1" : "0");
  if (!filters.empty()) q += "&filters=" + filters_query(filters);
  auto res = TRY(ctx.call("POST", q));
  if (res.status == 404 && missing_ok) return Pruned{};
  if (res.status == 404)
    return make_error(ErrorCategory::Unavailable, "builder prune is not supported: the daemon has no build cache");
  if (res.status >= 400) return daemon_error(res);
  auto r = TRY(parse_json(res.body));
  Pruned p;
  auto ids = array_field(r, "CachesDeleted");
  if (!ids.empty()) {
    p.report = "Deleted build cache objects:\n";
    for (const auto& id : ids) p.report += go_print(id) + "\n";
  }
  p.space = int_field(r, "SpaceReclaimed");
  return p;
}

// The single-kind prune commands share: prompt, prune, report, total.
Result<int> report(const Pruned& p, bool with_total = true) {
  if (!p.report.empty()) out(p.report + "\n");
  if (with_total) out(total(p.space));
  return 0;
}

Result<int> container_prune(Context& ctx, const Args& args) {
  if (!confirmed(args, "WARNING! This will remove all stopped containers.")) return 0;
  return report(TRY(prune_containers(ctx, args.all("filter"))));
}

Result<int> image_prune(Context& ctx, const Args& args) {
  bool all = flag_true(args, "all");
  if (!confirmed(args, all ? "WARNING! This will remove all images without at least one container associated to them."
                           : "WARNING! This will remove all dangling images."))
    return 0;
  return report(TRY(prune_images(ctx, args.all("filter"), all)));
}

Result<int> network_prune(Context& ctx, const Args& args) {
  if (!confirmed(args, "WARNING! This will remove all custom networks not used by at least one container.")) return 0;
  return report(TRY(prune_networks(ctx, args.all("filter"))), false);
}

Result<int> volume_prune(Context& ctx, const Args& args) {
  bool all = flag_true(args, "all");
  // API 1.42 made prune skip named volumes unless all=true.
  bool anonymous_only = ctx.api_at_least("1.42");
  if (all && !anonymous_only)
    return make_error(ErrorCategory::InvalidArgument, "\"--all\" requires API version 1.42, but the Docker daemon API version is " +
                                                          TRY(ctx.api_version()));
  std::string what = anonymous_only && !all ? "anonymous" : "all";
  if (!confirmed(args, "WARNING! This will remove " + what + " local volumes not used by at least one container."))
    return 0;
  return report(TRY(prune_volumes(ctx, args.all("filter"), all)));
}

Result<int> builder_prune(Context& ctx, const Args& args) {
  bool all = flag_true(args, "all");
  if (!confirmed(args, all ? "WARNING! This will remove all build cache." : "WARNING! This will remove all dangling build cache."))
    return 0;
  return report(TRY(prune_build_cache(ctx, args.all("filter"), all, false)));
}

Result<int> system_prune(Context& ctx, const Args& args) {
  bool all = flag_true(args, "all"), volumes = flag_true(args, "volumes");
  std::string warning = "WARNING! This will remove:\n  - all stopped containers\n"
                        "  - all networks not used by at least one container\n";
  if (volumes) warning += "  - all anonymous volumes not used by at least one container\n";
  warning += all ? "  - all images without at least one container associated to them\n  - all build cache\n"
                 : "  - all dangling images\n  - unused build cache\n";
  if (!confirmed(args, warning)) return 0;
  auto filters = args.all("filter");
  std::vector<Pruned> parts;
  parts.push_back(TRY(prune_containers(ctx, filters)));
  parts.push_back(TRY(prune_networks(ctx, filters)));
  if (volumes) parts.push_back(TRY(prune_volumes(ctx, filters, false)));
  parts.push_back(TRY(prune_images(ctx, filters, all)));
  parts.push_back(TRY(prune_build_cache(ctx, filters, all, true)));
  int64_t space = 0;
  for (const auto& p : parts) {
    if (!p.report.empty()) out(p.report + "\n");
    space += p.space;
  }
  out(total(space));
  return 0;
}

Result<int> volume_ls(Context& ctx, const Args& args) {
  std::string q = "/volumes";
  if (args.has("filter")) q += "?filters=" + filters_query(args.all("filter"));
  auto r = TRY(ctx.get_json(q));
  std::vector<json::value> rows;
  for (const auto& v : array_field(r, "Volumes")) {
    std::vector<std::string> labels;
    if (auto* l = v.get_object().if_contains("Labels"); l && l->is_object())
      for (const auto& kv : l->get_object()) labels.push_back(std::string(kv.key()) + "=" + go_print(kv.value()));
    std::sort(labels.begin(), labels.end());
    rows.push_back(json::object{{"Availability", "N/A"}, {"Driver", str_field(v, "Driver")}, {"Group", "N/A"},
                                {"Labels", join(labels, ",")}, {"Links", "N/A"},
                                {"Mountpoint", str_field(v, "Mountpoint")}, {"Name", str_field(v, "Name")},
                                {"Scope", str_field(v, "Scope")}, {"Size", "N/A"}, {"Status", "N/A"}});
  }
  std::sort(rows.begin(), rows.end(),
            [](const json::value& a, const json::value& b) { return str_field(a, "Name") < str_field(b, "Name"); });
  std::string format = flag_true(args, "quiet") ? "{{.Name}}" : args.get("format");
  out(TRY(render_rows(format, "table {{.Driver}}\t{{.Name}}", rows,
                      {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Scope", "SCOPE"}, {"Mountpoint", "MOUNTPOINT"},
                       {"Labels", "LABELS"}, {"Links", "LINKS"}, {"Size", "SIZE"}})));
  return 0;
}

json::object key_values(const std::vector<std::string>& list) {
  json::object o;
  for (const auto& kv : list) {
    auto [k, v, found] = split_once(kv, '=');
    (void)found;
    o[std::string(k)] = std::string(v);
  }
  return o;
}

Result<int> volume_create(Context& ctx, const Args& args) {
  std::string name = args.get("name");
  if (!args.positional.empty()) {
    if (!name.empty() && name != args.positional[0])
      return make_error(ErrorCategory::InvalidArgument,
                        "conflicting options: cannot specify a volume-name through both --name and as a positional arg");
    name = args.positional[0];
  }
  json::object body{{"Name", name}, {"Driver", args.get("driver", "local")},
                    {"DriverOpts", key_values(args.all("opt"))}, {"Labels", key_values(args.all("label"))}};
  auto v = TRY(ctx.post_json("/volumes/create", body));
  out(str_field(v, "Name") + "\n");
  return 0;
}

Result<int> volume_rm(Context& ctx, const Args& args) {
  std::string q = flag_true(args, "force") ? "?force=1" : "";
  return each_container(ctx, args, "DELETE", [&](const std::string& n) { return "/volumes/" + n + q; });
}

}  // namespace

std::vector<Command> volume_commands() {
  std::vector<Command> cmds;
  auto filter = value_flag('f', "filter", "filter", "Provide filter values (e.g. \"dangling=true\")");
  cmds.push_back({"volume ls", {"volume list"}, "[OPTIONS]", "List volumes",
                  {filter, value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag('q', "quiet", "Only display volume names")},
                  0, 0, false, 1, volume_ls});
  cmds.push_back({"volume create", {}, "[OPTIONS] [VOLUME]", "Create a volume",
                  {value_flag('d', "driver", "string", "Specify volume driver name", "\"local\""),
                   value_flag(0, "label", "list", "Set metadata for a volume"),
                   value_flag(0, "name", "string", "Specify volume name"),
                   value_flag('o', "opt", "map", "Set driver specific options (default map[])")},
                  0, 1, false, 1, volume_create});
  cmds.push_back({"volume inspect", {}, "[OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes",
                  {value_flag('f', "format", "string", "Format output using a custom template")}, 1, -1, false, 1,
                  [](Context& c, const Args& a) { return inspect_typed(c, a, "volumes"); }});
  cmds.push_back({"volume rm", {"volume remove"}, "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes",
                  {bool_flag('f', "force", "Force the removal of one or more volumes")}, 1, -1, false, 1, volume_rm});
  cmds.push_back({"volume prune", {}, "[OPTIONS]", "Remove unused local volumes",
                  {bool_flag('a', "all", "Remove all unused volumes, not just anonymous ones"),
                   value_flag(0, "filter", "filter", "Provide filter values (e.g. \"label=<label>\")"),
                   bool_flag('f', "force", "Do not prompt for confirmation")},
                  0, 0, false, 1, volume_prune});
  return cmds;
}

std::vector<Command> prune_commands() {
  std::vector<Command> cmds;
  auto force = bool_flag('f', "force", "Do not prompt for confirmation");
  auto until = value_flag(0, "filter", "filter", "Provide filter values (e.g. \"until=<timestamp>\")");
  cmds.push_back({"container prune", {}, "[OPTIONS]", "Remove all stopped containers", {until, force}, 0, 0, false, 1,
                  container_prune});
  cmds.push_back({"image prune", {}, "[OPTIONS]", "Remove unused images",
                  {bool_flag('a', "all", "Remove all unused images, not just dangling ones"), until, force}, 0, 0,
                  false, 1, image_prune});
  cmds.push_back({"network prune", {}, "[OPTIONS]", "Remove all unused networks", {until, force}, 0, 0, false, 1,
                  network_prune});
  cmds.push_back({"builder prune", {}, "", "Remove build cache",
                  {bool_flag('a', "all", "Remove all unused build cache, not just dangling ones"), until, force}, 0, 0,
                  false, 1, builder_prune});
  cmds.push_back({"system prune", {}, "[OPTIONS]", "Remove unused data",
                  {bool_flag('a', "all", "Remove all unused images not just dangling ones"), until, force,
                   bool_flag(0, "volumes", "Prune anonymous volumes")},
                  0, 0, false, 1, system_prune});
  return cmds;
}

}  // namespace berth::cli
