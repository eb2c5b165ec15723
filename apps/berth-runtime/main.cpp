// berth-runtime: a runc-compatible OCI runtime. Global flags, then one
// command; each command lives in its own file.
#include <fcntl.h>
#include <seccomp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "base/log.hpp"
#include "base/version.hpp"
#include "cli.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::cli {
namespace {

struct Entry {
  const char* name;
  Command run;
  const char* help;
};

constexpr Entry kCommands[] = {
    {"create", cmd_create, "create a container"},
    {"delete", cmd_delete, "delete any resources held by the container often used with detached container"},
    {"events", cmd_events, "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
    {"exec", cmd_exec, "execute new process inside the container"},
    {"features", cmd_features, "show the enabled features"},
    {"kill", cmd_kill, "kill sends the specified signal (default: SIGTERM) to the container's init process"},
    {"list", cmd_list, "lists containers started by berth-runtime with the given root"},
    {"pause", cmd_pause, "pause suspends all processes inside the container"},
    {"ps", cmd_ps, "ps displays the processes running inside a container"},
    {"resume", cmd_resume, "resumes all processes that have been previously paused"},
    {"run", cmd_run, "create and run a container"},
    {"spec", cmd_spec, "create a new specification file"},
    {"start", cmd_start, "executes the user defined process in a created container"},
    {"state", cmd_state, "output the state of a container"},
    {"update", cmd_update, "update container resource constraints"},
};

const std::vector<FlagSpec> kGlobalFlags = {
    {{"root"}, true},          {{"log"}, true},          {{"log-format"}, true},
    {{"debug"}, false},        {{"systemd-cgroup"}, false}, {{"criu"}, true},
    {{"rootless"}, true},      {{"version", "v"}, false}, {{"help", "h"}, false},
};

void print_version() {
  const scmp_version* v = seccomp_version();
  std::printf("berth-runtime version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", BERTH_VERSION,
              git_commit(), oci::kRuntimeSpecVersion, v->major, v->minor, v->micro);
}

void print_help() {
  std::printf("berth-runtime - an OCI runtime (runc-compatible)\n\nUSAGE:\n   berth-runtime [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
  for (const auto& c : kCommands) std::printf("   %-10s %s\n", c.name, c.help);
  std::printf("\nGLOBAL OPTIONS:\n   --root value        root directory for storage of container state (default: \"/run/berth-runtime\")\n"
              "   --log value         set the log file to write logs to (default: stderr)\n"
              "   --log-format value  set the log format ('text' (default), or 'json')\n"
              "   --debug             enable debug logging\n"
              "   --systemd-cgroup    enable systemd cgroup support (needs a running systemd)\n"
              "   --version, -v       print the version\n");
}

Result<> setup_logging(Globals& g) {
  auto format = TRY(log::parse_format(g.log_format));
  if (!g.log_path.empty()) {
    g.log_fd = ::open(g.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (g.log_fd < 0) return sys_error("open log file " + g.log_path);
  }
  log::configure(g.debug ? log::Level::Debug : log::Level::Info, format, g.log_fd >= 0 ? g.log_fd : 2);
  return ok();
}

int dispatch(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Globals g;
  auto parsed = parse_flags(args, kGlobalFlags, true);
  if (!parsed) return fail(g, parsed.error().message());
  if (parsed->has("version")) {
    print_version();
    return 0;
  }
  g.ctx.root = parsed->get("root", g.ctx.root);
  g.log_path = parsed->get("log");
  g.log_format = parsed->get("log-format", "text");
  g.debug = parsed->has("debug");
  g.ctx.systemd_cgroup = parsed->has("systemd-cgroup");
  if (auto r = setup_logging(g); !r) return fail(g, r.error());
  if (parsed->positional.empty() || parsed->has("help")) {
    print_help();
    return parsed->positional.empty() && !parsed->has("help") ? 0 : 0;
  }
  if (g.ctx.systemd_cgroup && ::access("/run/systemd/system", F_OK) != 0)
    return fail(g, "systemd cgroup flag passed, but systemd support for managing cgroups is not available");
  const std::string& name = parsed->positional[0];
  std::vector<std::string> rest(parsed->positional.begin() + 1, parsed->positional.end());
  for (const auto& c : kCommands)
    if (name == c.name) return c.run(g, rest);
  fail(g, "No help topic for '" + name + "'");
  return 3;
}

}  // namespace
}  // namespace berth::cli

int main(int argc, char** argv) { return berth::cli::dispatch(argc, argv); }
