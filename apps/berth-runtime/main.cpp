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

// The name the runtime shows in help, usage and version output: argv[0]'s
// basename, so that a drop-in installed as (or linked to) `runc` reads as
// runc does to the tools and scripts that parse it.
std::string g_program = "berth-runtime";

struct Entry {
  const char* name;
  Command run;
  const char* help;
  const char* usage;  // the arguments after "[command options]"
};

int cmd_no_criu(Globals& g, const std::vector<std::string>&) {
  return fail(g, "checkpoint/restore is not supported: " + g_program + " has no CRIU support");
}

constexpr Entry kCommands[] = {
    {"checkpoint", cmd_no_criu, "checkpoint a running container (not supported: no CRIU support)", "<container-id>"},
    {"create", cmd_create, "create a container", "<container-id>"},
    {"delete", cmd_delete, "delete any resources held by the container often used with detached container", "<container-id>"},
    {"events", cmd_events, "display container events such as OOM notifications, cpu, memory, and IO usage statistics", "<container-id>"},
    {"exec", cmd_exec, "execute new process inside the container", "<container-id> <command> [command options]  || -p process.json <container-id>"},
    {"features", cmd_features, "show the enabled features", ""},
    {"kill", cmd_kill, "kill sends the specified signal (default: SIGTERM) to the container's init process", "<container-id> [signal]"},
    {"list", cmd_list, "lists containers started by this runtime with the given root", ""},
    {"pause", cmd_pause, "pause suspends all processes inside the container", "<container-id>"},
    {"ps", cmd_ps, "ps displays the processes running inside a container", "<container-id> [ps options]"},
    {"restore", cmd_no_criu, "restore a container from a previous checkpoint (not supported: no CRIU support)", "<container-id>"},
    {"resume", cmd_resume, "resumes all processes that have been previously paused", "<container-id>"},
    {"run", cmd_run, "create and run a container", "<container-id>"},
    {"spec", cmd_spec, "create a new specification file", ""},
    {"start", cmd_start, "executes the user defined process in a created container", "<container-id>"},
    {"state", cmd_state, "output the state of a container", "<container-id>"},
    {"update", cmd_update, "update container resource constraints", "<container-id>"},
};

const std::vector<FlagSpec> kGlobalFlags = {
    {{"root"}, true},          {{"log"}, true},          {{"log-format"}, true},
    {{"debug"}, false},        {{"systemd-cgroup"}, false}, {{"criu"}, true},
    {{"rootless"}, true},      {{"version", "v"}, false}, {{"help", "h"}, false},
};

// runc's layout: "<name> version x.y.z", then "commit:" and "spec:" (what
// docker info and podman info parse), then the library lines. There is no
// Go runtime in berth-runtime, so no "go:" line.
void print_version_lines() {
  const scmp_version* v = seccomp_version();
  std::printf("commit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", git_commit(), oci::kRuntimeSpecVersion, v->major,
              v->minor, v->micro);
}

void print_version() {
  std::printf("%s version %s\n", g_program.c_str(), BERTH_VERSION);
  print_version_lines();
}

void print_help() {
  const char* n = g_program.c_str();
  std::printf("NAME:\n   %s - Open Container Initiative runtime\n\n"
              "%s is berth's OCI runtime, a drop-in for runc: it runs containers from OCI\n"
              "bundles (a config.json and a root filesystem) as the runtime-spec describes.\n\n"
              "To start a new instance of a container:\n\n    # %s run [ -b bundle ] <container-id>\n\n"
              "USAGE:\n   %s [global options] command [command options] [arguments...]\n\nVERSION:\n   %s\n",
              n, n, n, n, BERTH_VERSION);
  print_version_lines();
  std::printf("\nCOMMANDS:\n");
  for (const auto& c : kCommands) std::printf("   %-10s %s\n", c.name, c.help);
  std::printf("\nGLOBAL OPTIONS:\n   --root value        root directory for storage of container state (default: \"/run/berth-runtime\")\n"
              "   --log value         set the log file to write logs to (default: stderr)\n"
              "   --log-format value  set the log format ('text' (default), or 'json')\n"
              "   --debug             enable debug logging\n"
              "   --systemd-cgroup    enable systemd cgroup support (needs a running systemd)\n"
              "   --help, -h          show help\n"
              "   --version, -v       print the version\n");
}

void print_command_help(const Entry& c) {
  const char* n = g_program.c_str();
  std::printf("NAME:\n   %s %s - %s\n\nUSAGE:\n   %s %s [command options] %s\n", n, c.name, c.help, n, c.name,
              c.usage);
}

bool is_help_flag(const std::string& a) { return a == "-h" || a == "--help" || a == "-help" || a == "--h"; }

std::string program_name(const char* argv0) {
  if (argv0 == nullptr || *argv0 == '\0') return "berth-runtime";
  const char* slash = std::strrchr(argv0, '/');
  return slash ? slash + 1 : argv0;
}

Result<> setup_logging(Globals& g) {
  auto format = TRY(log::parse_format(g.log_format));
  // runc's text records are logrus's (time="…" level=debug msg="…").
  if (format == log::Format::Text) format = log::Format::Logrus;
  if (!g.log_path.empty()) {
    g.log_fd = ::open(g.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (g.log_fd < 0) return sys_error("open log file " + g.log_path);
  }
  log::configure(g.debug ? log::Level::Debug : log::Level::Info, format, g.log_fd >= 0 ? g.log_fd : 2);
  return ok();
}

int dispatch(int argc, char** argv) {
  g_program = program_name(argc > 0 ? argv[0] : nullptr);
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
  if (parsed->positional.empty()) {
    print_help();
    return 0;
  }
  const std::string& name = parsed->positional[0];
  std::vector<std::string> rest(parsed->positional.begin() + 1, parsed->positional.end());
  const Entry* command = nullptr;
  for (const auto& c : kCommands)
    if (name == c.name) command = &c;
  if (command == nullptr) {
    fail(g, "No help topic for '" + name + "'");
    return 3;
  }
  // `<name> -h run` and `<name> run -h` (not `exec <id> cmd -h`: that -h
  // belongs to the command run in the container).
  if (parsed->has("help") || (!rest.empty() && is_help_flag(rest[0]))) {
    print_command_help(*command);
    return 0;
  }
  if (g.ctx.systemd_cgroup && ::access("/run/systemd/system", F_OK) != 0)
    return fail(g, "systemd cgroup flag passed, but systemd support for managing cgroups is not available");
  return command->run(g, rest);
}

}  // namespace
}  // namespace berth::cli

int main(int argc, char** argv) { return berth::cli::dispatch(argc, argv); }
