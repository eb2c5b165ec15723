#include "base/strings.hpp"
#include "cli.hpp"

namespace berth::cli {

std::vector<FlagSpec> create_flag_specs() {
  return {{{"bundle", "b"}, true},  {{"console-socket"}, true}, {{"pid-file"}, true},
          {{"no-pivot"}, false},    {{"no-new-keyring"}, false}, {{"preserve-fds"}, true},
          {{"no-subreaper"}, false}, {{"detach", "d"}, false},  {{"keep"}, false}};
}

Result<runtime::CreateOptions> create_options(const Flags& f, const std::string& id) {
  runtime::CreateOptions o;
  o.id = id;
  o.bundle = f.get("bundle", ".");
  o.console_socket = f.get("console-socket");
  o.pid_file = f.get("pid-file");
  o.no_pivot = f.has("no-pivot");
  o.no_new_keyring = f.has("no-new-keyring");
  if (f.has("preserve-fds")) o.preserve_fds = TRY(parse_int<int>(f.get("preserve-fds")));
  return o;
}

int cmd_create(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, create_flag_specs());
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "create"); !r) return fail(g, r.error());
  auto options = create_options(*f, f->positional[0]);
  if (!options) return fail(g, options.error());
  auto created = runtime::create(g.ctx, *options);
  if (!created) return fail(g, created.error());
  // The init outlives us: it is re-parented when we exit.
  (void)created->init.release();
  return 0;
}

}  // namespace berth::cli
