#include <csignal>
#include <cstring>

#include "base/strings.hpp"
#include "cli.hpp"

namespace berth::cli {
namespace {

Result<int> parse_signal(std::string name) {
  if (auto n = parse_int<int>(name); n) {
    if (*n >= 0 && *n < NSIG) return *n;  // 0 only checks the process exists
    return make_error(ErrorCategory::InvalidArgument, "invalid signal: " + name);
  }
  std::string upper;
  for (char c : name) upper += static_cast<char>(::toupper(c));
  if (upper.starts_with("SIG")) upper = upper.substr(3);
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = ::sigabbrev_np(s);
    if (abbrev && upper == abbrev) return s;
  }
  return make_error(ErrorCategory::InvalidArgument, "unknown signal \"" + name + "\"");
}

}  // namespace

int cmd_kill(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"all", "a"}, false}});
  if (!f) return fail(g, f.error());
  if (f->positional.empty() || f->positional.size() > 2)
    return fail(g, "\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
  auto sig = parse_signal(f->positional.size() == 2 ? f->positional[1] : "SIGTERM");
  if (!sig) return fail(g, sig.error().message());
  if (auto r = runtime::kill(g.ctx, f->positional[0], *sig, f->has("all")); !r) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
