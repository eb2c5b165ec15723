#include "cli.hpp"

namespace berth::cli {

int cmd_run(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, create_flag_specs());
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "run"); !r) return fail(g, r.error());
  auto options = create_options(*f, f->positional[0]);
  if (!options) return fail(g, options.error());
  runtime::RunOptions run{f->has("detach"), f->has("keep")};
  auto code = runtime::run(g.ctx, *options, run);
  if (!code) return fail(g, code.error());
  return *code;
}

}  // namespace berth::cli
