// events and stats: the two long-lived JSON streams.
#include <algorithm>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <ctime>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

// Go's RFC3339Nano in UTC: trailing zeros of the fraction trimmed.
std::string rfc3339_nano(int64_t nanos) {
  time_t secs = static_cast<time_t>(nanos / 1000000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  int64_t frac = nanos % 1000000000;
  if (frac) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

std::string event_line(const json::value& e) {
  std::string line = rfc3339_nano(int_field(e, "timeNano")) + " " + str_field(e, "Type") + " " +
                     str_field(e, "Action");
  auto* actor = e.get_object().if_contains("Actor");
  if (!actor || !actor->is_object()) return line + "\n";
  line += " " + str_field(*actor, "ID");
  std::vector<std::string> attrs;
  if (auto* a = actor->get_object().if_contains("Attributes"); a && a->is_object())
    for (const auto& kv : a->get_object()) attrs.push_back(std::string(kv.key()) + "=" + go_print(kv.value()));
  std::sort(attrs.begin(), attrs.end());
  if (!attrs.empty()) line += " (" + join(attrs, ", ") + ")";
  return line + "\n";
}

std::string since_arg(const std::string& v) {
  if (v.empty()) return v;
  if (v.find_first_not_of("0123456789.") == std::string::npos) return v;
  if (int64_t t = parse_rfc3339(v)) return std::to_string(t);
  double total = 0;
  std::string digits;
  for (char ch : v) {
    if ((ch >= '0' && ch <= '9') || ch == '.') {
      digits += ch;
      continue;
    }
    double num = std::atof(digits.c_str());
    digits.clear();
    total += ch == 'h' ? num * 3600 : ch == 'm' ? num * 60 : ch == 's' ? num : 0;
  }
  return std::to_string(std::time(nullptr) - static_cast<int64_t>(total));
}

Result<int> events_cmd(Context& ctx, const Args& args) {
  std::string q = "/events";
  std::string sep = "?";
  if (args.has("filter")) q += sep + "filters=" + filters_query(args.all("filter")), sep = "&";
  if (args.has("since")) q += sep + "since=" + since_arg(args.get("since")), sep = "&";
  if (args.has("until")) q += sep + "until=" + since_arg(args.get("until")), sep = "&";
  std::optional<Template> tmpl;
  if (args.has("format")) tmpl = TRY(Template::parse(args.get("format")));
  std::string pending;
  Result<> failure = ok();
  TRY(ctx.stream("GET", q, [&](std::string_view piece) {
    pending.append(piece);
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      boost::system::error_code ec;
      auto v = json::parse(line, ec);
      if (ec || !v.is_object()) continue;
      if (tmpl) {
        auto text = tmpl->render(v);
        if (!text) return failure = tl::unexpected(text.error()), false;
        out(*text);
      } else {
        out(event_line(v));
      }
    }
    return true;
  }));
  TRY(failure);
  return 0;
}

double number(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (const char* k : path) {
    if (!cur->is_object()) return 0;
    cur = cur->get_object().if_contains(k);
    if (!cur) return 0;
  }
  return cur->is_number() ? cur->to_number<double>() : 0;
}

json::object stats_row(const std::string& name, const json::value& s) {
  double cpu_delta = number(s, {"cpu_stats", "cpu_usage", "total_usage"}) -
                     number(s, {"precpu_stats", "cpu_usage", "total_usage"});
  double sys_delta = number(s, {"cpu_stats", "system_cpu_usage"}) - number(s, {"precpu_stats", "system_cpu_usage"});
  double cpus = number(s, {"cpu_stats", "online_cpus"});
  double cpu = sys_delta > 0 && cpu_delta > 0 ? cpu_delta / sys_delta * (cpus > 0 ? cpus : 1) * 100 : 0;
  double usage = number(s, {"memory_stats", "usage"});
  double cache = number(s, {"memory_stats", "stats", "total_inactive_file"});
  if (cache == 0) cache = number(s, {"memory_stats", "stats", "inactive_file"});
  double mem = usage - cache, limit = number(s, {"memory_stats", "limit"});
  double rx = 0, tx = 0;
  if (auto* nets = s.get_object().if_contains("networks"); nets && nets->is_object())
    for (const auto& kv : nets->get_object()) {
      rx += number(kv.value(), {"rx_bytes"});
      tx += number(kv.value(), {"tx_bytes"});
    }
  double rd = 0, wr = 0;
  if (auto* blk = s.get_object().if_contains("blkio_stats"); blk && blk->is_object())
    if (auto* io = blk->get_object().if_contains("io_service_bytes_recursive"); io && io->is_array())
      for (const auto& e : io->get_array()) {
        std::string op = to_lower(str_field(e, "op"));
        if (op == "read") rd += number(e, {"value"});
        if (op == "write") wr += number(e, {"value"});
      }
  char pct[32], mpct[32];
  std::snprintf(pct, sizeof pct, "%.2f%%", cpu);
  std::snprintf(mpct, sizeof mpct, "%.2f%%", limit > 0 ? mem / limit * 100 : 0);
  std::string id = str_field(s, "id");
  std::string n = str_field(s, "name");
  if (!n.empty() && n[0] == '/') n.erase(0, 1);
  return json::object{{"BlockIO", human_size(rd) + " / " + human_size(wr)},
                      {"CPUPerc", pct},
                      {"Container", name},
                      {"ID", short_id(id)},
                      {"MemPerc", mpct},
                      {"MemUsage", bytes_size(mem) + " / " + bytes_size(limit)},
                      {"Name", n},
                      {"NetIO", human_size(rx) + " / " + human_size(tx)},
                      {"PIDs", std::to_string(static_cast<int64_t>(number(s, {"pids_stats", "current"})))}};
}

Result<int> stats_cmd(Context& ctx, const Args& args) {
  std::vector<std::string> names = args.positional;
  if (names.empty()) {
    auto list = TRY(ctx.get_json(flag_true(args, "all") ? "/containers/json?all=1" : "/containers/json"));
    for (const auto& c : list.get_array()) names.push_back(short_id(str_field(c, "Id")));
  }
  std::vector<json::value> rows;
  for (const auto& n : names) {
    auto s = TRY(ctx.get_json("/containers/" + n + "/stats?stream=0"));
    rows.push_back(stats_row(n, s));
  }
  if (!flag_true(args, "no-stream"))
    err("berth stats streams only with --no-stream for now; showing one sample\n");
  out(TRY(render_rows(args.get("format"),
                      "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
                      rows,
                      {{"ID", "CONTAINER ID"}, {"Name", "NAME"}, {"CPUPerc", "CPU %"}, {"MemUsage", "MEM USAGE / LIMIT"},
                       {"MemPerc", "MEM %"}, {"NetIO", "NET I/O"}, {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"},
                       {"Container", "CONTAINER"}})));
  return 0;
}

}  // namespace

std::vector<Command> event_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"events", {"system events"}, "[OPTIONS]", "Get real time events from the server",
                  {value_flag('f', "filter", "filter", "Filter output based on conditions provided"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   value_flag(0, "since", "string", "Show all events created since timestamp"),
                   value_flag(0, "until", "string", "Stream events until this timestamp")},
                  0, 0, false, 1, events_cmd});
  cmds.push_back({"stats", {"container stats"}, "[OPTIONS] [CONTAINER...]",
                  "Display a live stream of container(s) resource usage statistics",
                  {bool_flag('a', "all", "Show all containers (default shows just running)"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag(0, "no-stream", "Disable streaming stats and only pull the first result"),
                   bool_flag(0, "no-trunc", "Do not truncate output")},
                  0, -1, false, 1, stats_cmd});
  return cmds;
}

}  // namespace berth::cli
