#include "cli.hpp"

namespace berth::cli {

int cmd_delete(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"force", "f"}, false}});
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "delete"); !r) return fail(g, r.error());
  auto r = runtime::remove(g.ctx, f->positional[0], f->has("force"));
  // runc: deleting a container that is already gone with --force is fine.
  if (!r && !(f->has("force") && r.error().is(ErrorCategory::NotFound))) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
