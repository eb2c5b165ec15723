// run, create, start: the create body from docker's flags, then attach +
// wait + start in the docker CLI's order (wait is registered before start,
// so a fast exit or --rm removal cannot be missed).
#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "cli/attach.hpp"
#include "cli/command.hpp"
#include "cli/create_body.hpp"
#include "cli/images.hpp"
#include "cli/platform.hpp"
#include "cli/signal_proxy.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

// Prints a run/start failure like docker and gives its exit code.
int run_failure(const std::string& cmd, const Error& e, int code) {
  if (e.message().rfind("invalid argument \"", 0) == 0) {  // a bad flag value: docker shows the usage
    err(e.message() + "\n\nUsage:  berth " + cmd + " [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth " + cmd +
        " --help' for more information\n");
    return 125;
  }
  err("berth: " + e.to_string() + "\n\nRun 'berth " + cmd + " --help' for more information\n");
  return code;
}

// --cidfile: refused when it exists (another container may own it), as docker does.
Result<> check_cidfile(const Args& args) {
  if (args.has("cidfile") && ::access(args.get("cidfile").c_str(), F_OK) == 0)
    return make_error(ErrorCategory::Conflict, "container ID file found, make sure the other container isn't running or delete " +
                                                   args.get("cidfile"));
  return ok();
}

Result<> write_cidfile(const Args& args, const std::string& id) {
  if (!args.has("cidfile")) return ok();
  UniqueFd fd(::open(args.get("cidfile").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) return sys_error("failed to create the container ID file");
  if (::write(fd.get(), id.data(), id.size()) != static_cast<ssize_t>(id.size()))
    return sys_error("failed to write the container ID file");
  return ok();
}

Result<std::string> create_container(Context& ctx, const Args& args, const json::value& body) {
  TRY(check_cidfile(args));
  // docker sends ?name=&platform= (Go's sorted query), platform normalised.
  std::string platform = platform_flag(args.get("platform"), args.has("platform"));
  if (!platform.empty()) platform = TRY(normalize_platform(platform));
  std::string q = "/containers/create";
  if (args.has("name")) q += "?name=" + query_escape(args.get("name"));
  if (!platform.empty()) q += (args.has("name") ? "&platform=" : "?platform=") + query_escape(platform);
  auto post = [&] { return ctx.call("POST", q, json::serialize(body)); };
  auto res = TRY(post());
  std::string image = args.positional[0];
  if (res.status == 404 && args.get("pull", "missing") != "never") {
    bool quiet = flag_true(args, "quiet");
    ImageRef r = parse_image_ref(image);
    std::string shown = image + (r.tag.empty() && r.digest.empty() ? ":latest" : "");  // docker names the tag
    if (!quiet) err("Unable to find image '" + shown + "' locally\n");
    UniqueFd devnull(quiet ? ::open("/dev/null", O_WRONLY | O_CLOEXEC) : -1);
    TRY(pull_image(ctx, image, quiet ? devnull.get() : 2, platform));
    res = TRY(post());
  }
  if (res.status >= 400) return daemon_error(res);
  auto v = TRY(parse_json(res.body));
  if (auto* w = v.get_object().if_contains("Warnings"); w && w->is_array())
    for (const auto& e : w->get_array()) err("WARNING: " + std::string(e.get_string()) + "\n");
  TRY(write_cidfile(args, str_field(v, "Id")));
  return str_field(v, "Id");
}

void resize_container(Context& ctx, const std::string& path, int h, int w) {
  (void)ctx.call("POST", path + "?h=" + std::to_string(h) + "&w=" + std::to_string(w));
}

// Errors are dropped, as docker drops them (the container may be gone).
void forward_signal(Context& ctx, const std::string& id, int signo) {
  (void)ctx.call("POST", "/containers/" + id + "/kill?signal=" + signal_name(signo));
}

// --sig-proxy: on unless "=false" (a TTY passes signals through the terminal).
bool sig_proxy_on(const Args& args) { return !args.has("sig-proxy") || flag_true(args, "sig-proxy"); }

// attach (hijack) -> wait registered -> start -> pump -> exit code.
Result<int> attach_start_wait(Context& ctx, const std::string& id, bool tty, bool stdin, bool want_stdout,
                              bool want_stderr, const std::string& condition, const std::string& cmd,
                              const std::string& detach_keys, bool sig_proxy) {
  // Caught from before the attach, as docker does; a signal that arrives
  // before the loop runs waits in the proxy's pipe.
  std::function<void(int)> forward;
  if (sig_proxy && !tty) forward = [&](int s) { forward_signal(ctx, id, s); };
  SignalProxy proxy(std::move(forward));
  std::string q = "/containers/" + id + "/attach?";
  if (want_stderr) q += "stderr=1&";
  if (stdin) q += "stdin=1&";
  if (want_stdout) q += "stdout=1&";
  q += "stream=1";
  if (!detach_keys.empty()) q += "&detachKeys=" + query_escape(detach_keys);
  auto conn = TRY(ctx.hijack("POST", q));
  auto waiter = TRY(ctx.connect_again());
  TRY(waiter.begin("POST", ctx.versioned("/containers/" + id + "/wait" +
                                         (condition.empty() ? "" : "?condition=" + condition))));
  auto started = ctx.checked("POST", "/containers/" + id + "/start");
  if (!started) return run_failure(cmd, started.error(), start_error_exit_code(started.error().message()));
  AttachOptions opts;
  opts.tty = tty;
  opts.stdin = stdin;
  if (!detach_keys.empty()) opts.detach_keys = detach_keys;
  opts.resize = [&](int h, int w) { resize_container(ctx, "/containers/" + id + "/resize", h, w); };
  opts.signals = &proxy;
  bool detached = TRY(pump(conn, opts));
  if (proxy.forced()) return 1;
  if (detached) {
    err("\r\nread escape sequence\r\n");
    return 0;
  }
  auto res = TRY(waiter.finish());
  if (res.status >= 400) return daemon_error(res);
  auto v = TRY(parse_json(res.body));
  if (auto* e = v.get_object().if_contains("Error"); e && e->is_object())
    err("berth: " + str_field(*e, "Message") + "\n");
  return static_cast<int>(int_field(v, "StatusCode"));
}

Result<int> run_cmd(Context& ctx, const Args& args) {
  if (auto cid = check_cidfile(args); !cid) return err(cid.error().to_string() + "\n"), 1;  // plain, like docker
  auto body = build_create_body(args);
  if (!body) return run_failure("run", body.error(), 125);
  bool detach = flag_true(args, "detach");
  bool tty = flag_true(args, "tty"), interactive = flag_true(args, "interactive");
  if (tty && interactive && !::isatty(0))
    return run_failure("run", Error(ErrorCategory::InvalidArgument, "the input device is not a TTY"), 1);
  auto id = create_container(ctx, args, *body);
  if (!id) return run_failure("run", id.error(), 125);
  if (detach) {
    auto started = ctx.checked("POST", "/containers/" + *id + "/start");
    if (!started) return run_failure("run", started.error(), start_error_exit_code(started.error().message()));
    out(*id + "\n");
    return 0;
  }
  std::vector<std::string> attach = args.all("attach");
  bool all = attach.empty();
  auto wants = [&](const char* s) { return all || std::find(attach.begin(), attach.end(), s) != attach.end(); };
  auto rc = attach_start_wait(ctx, *id, tty, interactive, wants("stdout"), wants("stderr"),
                              flag_true(args, "rm") ? "removed" : "next-exit", "run", args.get("detach-keys"),
                              sig_proxy_on(args));
  if (!rc) return run_failure("run", rc.error(), 125);
  return *rc;
}

Result<int> create_cmd(Context& ctx, const Args& args) {
  if (auto cid = check_cidfile(args); !cid) return err(cid.error().to_string() + "\n"), 1;
  auto body = build_create_body(args);
  if (!body) return run_failure("create", body.error(), 125);
  auto id = create_container(ctx, args, *body);
  if (!id) return err(id.error().message() + "\n"), 1;  // docker create: the plain message, exit 1
  out(*id + "\n");
  return 0;
}

Result<int> start_cmd(Context& ctx, const Args& args) {
  if (!flag_true(args, "attach") && !flag_true(args, "interactive"))
    return each_container(ctx, args, "POST", [](const std::string& n) { return "/containers/" + n + "/start"; });
  if (args.positional.size() != 1)
    return make_error(ErrorCategory::InvalidArgument, "you cannot start and attach multiple containers at once");
  auto info = TRY(ctx.get_json("/containers/" + args.positional[0] + "/json"));
  auto& cfg = info.at("Config");
  bool tty = cfg.at("Tty").as_bool();
  bool stdin = flag_true(args, "interactive") && cfg.at("OpenStdin").as_bool();
  return attach_start_wait(ctx, str_field(info, "Id"), tty, stdin, true, true, "next-exit", "start",
                           args.get("detach-keys"), true);
}

}  // namespace

std::vector<Command> run_commands() {
  std::vector<Command> cmds;
  auto flags = create_flags();
  flags.push_back(bool_flag(0, "rm", "Automatically remove the container and its associated anonymous volumes when it exits"));
  flags.push_back(value_flag('a', "attach", "list", "Attach to STDIN, STDOUT or STDERR"));
  flags.push_back(bool_flag(0, "help", "Print usage"));  // -h is --hostname here
  auto run_flags = flags;
  run_flags.push_back(bool_flag('d', "detach", "Run container in background and print container ID"));
  run_flags.push_back(value_flag(0, "detach-keys", "string", "Override the key sequence for detaching a container"));
  run_flags.push_back(value_flag(0, "sig-proxy", "", "Proxy received signals to the process", "true"));
  cmds.push_back({"run", {"container run"}, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                  "Create and run a new container from an image", run_flags, 1, -1, true, 125, run_cmd});
  cmds.push_back({"create", {"container create"}, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                  "Create a new container", flags, 1, -1, true, 125, create_cmd});
  cmds.push_back({"start", {"container start"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Start one or more stopped containers",
                  {bool_flag('a', "attach", "Attach STDOUT/STDERR and forward signals"),
                   value_flag(0, "detach-keys", "string", "Override the key sequence for detaching a container"),
                   bool_flag('i', "interactive", "Attach container's STDIN")},
                  1, -1, false, 1, start_cmd});
  return cmds;
}

}  // namespace berth::cli
