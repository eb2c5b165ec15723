#include <cstdio>

#include "base/strings.hpp"
#include "cli.hpp"

namespace berth::cli {
namespace {

// Go durations as runc takes them: "5s", "500ms", "1m".
Result<std::chrono::milliseconds> parse_duration(const std::string& s) {
  auto num_end = s.find_first_not_of("0123456789");
  auto value = TRY(parse_int<int64_t>(s.substr(0, num_end)));
  std::string unit = num_end == std::string::npos ? "s" : s.substr(num_end);
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit == "s") return std::chrono::milliseconds(value * 1000);
  if (unit == "m") return std::chrono::milliseconds(value * 60000);
  return make_error(ErrorCategory::InvalidArgument, "invalid duration " + s);
}

}  // namespace

int cmd_events(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"interval"}, true}, {{"stats"}, false}});
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "events"); !r) return fail(g, r.error());
  auto interval = parse_duration(f->get("interval", "5s"));
  if (!interval) return fail(g, interval.error());
  auto r = runtime::events(g.ctx, f->positional[0], *interval, f->has("stats"), [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  });
  if (!r) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
