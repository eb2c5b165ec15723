#include "cli.hpp"

namespace berth::cli {

int cmd_pause(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {});
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "pause"); !r) return fail(g, r.error());
  if (auto r = runtime::pause(g.ctx, f->positional[0]); !r) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
