#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli.hpp"
#include "oci/runtime_codec.hpp"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kExecFlags = {
    {{"console-socket"}, true}, {{"cwd"}, true},          {{"env", "e"}, true},
    {{"tty", "t"}, false},      {{"user", "u"}, true},    {{"additional-gids", "g"}, true},
    {{"process", "p"}, true},   {{"detach", "d"}, false}, {{"pid-file"}, true},
    {{"process-label"}, true},  {{"apparmor"}, true},     {{"no-new-privs"}, false},
    {{"cap", "c"}, true},       {{"preserve-fds"}, true}, {{"cgroup"}, true},
    {{"ignore-paused"}, false}};

Result<oci::Process> process_from(Globals& g, const Flags& f) {
  if (f.has("process")) {
    std::string path = f.get("process");
    auto text = path == "-" ? read_fd(0) : read_file(path);
    if (!text) return tl::unexpected(std::move(text).error());
    return oci::parse_process(*text);
  }
  runtime::ExecFlags ef;
  ef.args.assign(f.positional.begin() + 1, f.positional.end());
  ef.env = f.all("env");
  ef.cwd = f.get("cwd");
  ef.user = f.get("user");
  for (const auto& gid : f.all("additional-gids")) ef.additional_gids.push_back(TRY(parse_int<uint32_t>(gid)));
  ef.caps = f.all("cap");
  ef.tty = f.has("tty");
  ef.no_new_privs = f.has("no-new-privs");
  if (ef.args.empty()) return make_error(ErrorCategory::InvalidArgument, "exec args cannot be empty");
  return runtime::exec_process_from_flags(g.ctx, f.positional[0], ef);
}

}  // namespace

// runc exits 255 when exec itself fails (so it differs from any exit code
// of the process it would have run).
constexpr int kExecFailed = 255;

int cmd_exec(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, kExecFlags, true);
  if (!f) return fail(g, f.error(), kExecFailed);
  if (f->positional.empty()) return fail(g, "\"exec\" requires a minimum of 1 argument", kExecFailed);
  runtime::ExecOptions o;
  o.id = f->positional[0];
  auto process = process_from(g, *f);
  if (!process) return fail(g, process.error(), kExecFailed);
  o.process = std::move(*process);
  o.console_socket = f->get("console-socket");
  o.pid_file = f->get("pid-file");
  o.detach = f->has("detach");
  o.ignore_paused = f->has("ignore-paused");
  auto sub_cgroups = runtime::parse_sub_cgroups(f->all("cgroup"));
  if (!sub_cgroups) return fail(g, sub_cgroups.error(), kExecFailed);
  o.sub_cgroups = std::move(*sub_cgroups);
  if (f->has("preserve-fds")) {
    auto n = parse_int<int>(f->get("preserve-fds"));
    if (!n) return fail(g, n.error(), kExecFailed);
    o.preserve_fds = *n;
  }
  if (o.process.terminal && o.detach && o.console_socket.empty())
    return fail(g, "cannot allocate tty if runc will detach without setting console socket", kExecFailed);
  if (!o.process.terminal && !o.console_socket.empty())
    return fail(g, "cannot use console socket if runc will not detach or allocate tty", kExecFailed);
  auto code = runtime::exec(g.ctx, o);
  if (!code) return fail(g, code.error(), kExecFailed);
  return *code;
}

}  // namespace berth::cli
