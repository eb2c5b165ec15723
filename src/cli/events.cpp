// events: the daemon's long-lived JSON event stream.
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

// docker's RFC3339NanoFixed in the local zone: always nine fraction
// digits (Go's RFC3339Nano would trim trailing zeros, docker's does not),
// "Z" for UTC, else the ±hh:mm offset.
std::string rfc3339_nano(int64_t nanos) {
  time_t secs = static_cast<time_t>(nanos / 1000000000);
  struct tm tm {};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos % 1000000000));
  std::string out = std::string(buf) + frac;
  long offset = tm.tm_gmtoff;
  if (offset == 0) return out + "Z";
  char zone[40];
  long abs_min = (offset < 0 ? -offset : offset) / 60;
  std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset < 0 ? '-' : '+', abs_min / 60, abs_min % 60);
  return out + zone;
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

}  // namespace

std::vector<Command> event_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"events", {"system events"}, "[OPTIONS]", "Get real time events from the server",
                  {value_flag('f', "filter", "filter", "Filter output based on conditions provided"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   value_flag(0, "since", "string", "Show all events created since timestamp"),
                   value_flag(0, "until", "string", "Stream events until this timestamp")},
                  0, 0, false, 1, events_cmd});
  cmds.push_back(stats_command());
  return cmds;
}

}  // namespace berth::cli
