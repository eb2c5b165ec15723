#include "cli.hpp"

namespace berth::cli {

int cmd_start(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {});
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "start"); !r) return fail(g, r.error());
  if (auto r = runtime::start(g.ctx, f->positional[0]); !r) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
