#include <cstdio>

#include "cli.hpp"
#include "oci/runtime_codec.hpp"

namespace berth::cli {

int cmd_state(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {});
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "state"); !r) return fail(g, r.error());
  auto st = runtime::state(g.ctx, f->positional[0]);
  if (!st) return fail(g, st.error());
  std::printf("%s\n", oci::to_pretty_json(oci::state_to_runc_json(*st), "  ").c_str());
  return 0;
}

}  // namespace berth::cli
