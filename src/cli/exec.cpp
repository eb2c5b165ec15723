// exec and attach: hijacked streams on a running container.
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include "base/strings.hpp"
#include "cli/attach.hpp"
#include "cli/command.hpp"
#include "cli/create_body.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

json::value strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Result<int> exec_cmd(Context& ctx, const Args& args) {
  std::string container = args.positional[0];
  std::vector<std::string> cmd(args.positional.begin() + 1, args.positional.end());
  bool tty = flag_true(args, "tty"), interactive = flag_true(args, "interactive");
  bool detach = flag_true(args, "detach");
  if (tty && interactive && !::isatty(0))
    return make_error(ErrorCategory::InvalidArgument, "the input device is not a TTY");
  TRY(ctx.get_json("/containers/" + container + "/json"));
  json::object body{{"User", args.get("user")}, {"Privileged", flag_true(args, "privileged")},
                    {"Tty", tty}, {"AttachStdin", interactive && !detach},
                    {"AttachStderr", !detach}, {"AttachStdout", !detach}, {"Detach", detach},
                    {"DetachKeys", args.get("detach-keys")}, {"Env", env_list(args)},
                    {"WorkingDir", args.get("workdir")}, {"Cmd", strings(cmd)}};
  int h = 0, w = 0;
  bool sized = tty && terminal_size(h, w);
  if (sized && ctx.api_at_least("1.42")) body["ConsoleSize"] = json::array{h, w};
  auto created = TRY(ctx.post_json("/containers/" + container + "/exec", body));
  std::string id = str_field(created, "Id");
  json::object start{{"Detach", detach}, {"Tty", tty}};
  if (sized && ctx.api_at_least("1.42")) start["ConsoleSize"] = json::array{h, w};
  if (detach) {
    TRY(ctx.checked("POST", "/exec/" + id + "/start", json::serialize(start)));
    return 0;
  }
  auto conn = TRY(ctx.hijack("POST", "/exec/" + id + "/start", json::serialize(start)));
  AttachOptions opts;
  opts.tty = tty;
  opts.stdin = interactive;
  if (args.has("detach-keys")) opts.detach_keys = args.get("detach-keys");
  opts.resize = [&](int rh, int rw) {
    (void)ctx.call("POST", "/exec/" + id + "/resize?h=" + std::to_string(rh) + "&w=" + std::to_string(rw));
  };
  if (TRY(pump(conn, opts))) return 0;
  auto info = TRY(ctx.get_json("/exec/" + id + "/json"));
  return static_cast<int>(int_field(info, "ExitCode"));
}

Result<int> attach_cmd(Context& ctx, const Args& args) {
  std::string container = args.positional[0];
  auto info = TRY(ctx.get_json("/containers/" + container + "/json"));
  auto& state = info.at("State");
  if (!state.at("Running").as_bool())
    return make_error(ErrorCategory::Conflict, "You cannot attach to a stopped container, start it first");
  if (state.get_object().contains("Paused") && state.at("Paused").as_bool())
    return make_error(ErrorCategory::Conflict, "You cannot attach to a paused container, unpause it first");
  bool tty = info.at("Config").at("Tty").as_bool();
  bool stdin = !flag_true(args, "no-stdin") && info.at("Config").at("OpenStdin").as_bool();
  std::string id = str_field(info, "Id");
  std::string q = "/containers/" + id + "/attach?stderr=1&" + std::string(stdin ? "stdin=1&" : "") + "stdout=1&stream=1";
  if (args.has("detach-keys")) q += "&detachKeys=" + query_escape(args.get("detach-keys"));
  // Without a TTY (and unless --sig-proxy=false), signals go to the container.
  std::function<void(int)> forward;
  if (!tty && (!args.has("sig-proxy") || flag_true(args, "sig-proxy")))
    forward = [&](int s) { (void)ctx.call("POST", "/containers/" + id + "/kill?signal=" + signal_name(s)); };
  SignalProxy proxy(std::move(forward));
  auto conn = TRY(ctx.hijack("POST", q));
  auto waiter = TRY(ctx.connect_again());
  TRY(waiter.begin("POST", ctx.versioned("/containers/" + id + "/wait")));
  AttachOptions opts;
  opts.tty = tty;
  opts.stdin = stdin;
  if (args.has("detach-keys")) opts.detach_keys = args.get("detach-keys");
  opts.resize = [&](int h, int w) {
    (void)ctx.call("POST", "/containers/" + id + "/resize?h=" + std::to_string(h) + "&w=" + std::to_string(w));
  };
  opts.signals = &proxy;
  if (TRY(pump(conn, opts))) return 0;
  if (proxy.forced()) return 1;
  auto res = TRY(waiter.finish());
  return static_cast<int>(int_field(TRY(parse_json(res.body)), "StatusCode"));
}

}  // namespace

std::vector<Command> exec_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"exec", {"container exec"}, "[OPTIONS] CONTAINER COMMAND [ARG...]",
                  "Execute a command in a running container",
                  {bool_flag('d', "detach", "Detached mode: run command in the background"),
                   value_flag(0, "detach-keys", "string", "Override the key sequence for detaching a container"),
                   value_flag('e', "env", "list", "Set environment variables"),
                   value_flag(0, "env-file", "list", "Read in a file of environment variables"),
                   bool_flag('i', "interactive", "Keep STDIN open even if not attached"),
                   bool_flag(0, "privileged", "Give extended privileges to the command"),
                   bool_flag('t', "tty", "Allocate a pseudo-TTY"),
                   value_flag('u', "user", "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
                   value_flag('w', "workdir", "string", "Working directory inside the container")},
                  2, -1, true, 1, exec_cmd});
  cmds.push_back({"attach", {"container attach"}, "[OPTIONS] CONTAINER",
                  "Attach local standard input, output, and error streams to a running container",
                  {value_flag(0, "detach-keys", "string", "Override the key sequence for detaching a container"),
                   bool_flag(0, "no-stdin", "Do not attach STDIN"),
                   value_flag(0, "sig-proxy", "", "Proxy all received signals to the process", "true")},
                  1, 1, false, 1, attach_cmd});
  return cmds;
}

}  // namespace berth::cli
