// berth's OCI runtime as a library: every lifecycle operation of the runc
// command line is one call here. The berth-runtime CLI parses flags and
// calls these; berth-monitor links the same functions in process.
//
// A container lives in <root>/<id>/: state.json (what we created, written
// atomically) and, between create and start, exec.fifo, on which the
// container's init blocks until `start` opens it. Status is derived from
// the kernel each time it is asked for (is the init alive, is the fifo
// still there, is the cgroup frozen), so it stays true after the process
// that created the container has exited. See docs/RUNTIME.md.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/owned_pid.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"
#include "oci/runtime_state.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::runtime {

struct Context {
  std::string root = "/run/berth-runtime";
  bool systemd_cgroup = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;  // fds 3 .. 3+n-1 pass into the container
  // The caller will not hold the PTY master (CLI create, run -d): then a
  // terminal needs a console socket, as runc insists.
  bool detached = true;
};

// What create hands back to an in-process caller (run, the monitor).
struct Created {
  pid_t pid = 0;
  OwnedPid init;       // the init is our child until this process exits
  UniqueFd pty_master;  // terminal:true without a console socket
};

Result<Created> create(const Context& ctx, const CreateOptions& options);
Result<> start(const Context& ctx, const std::string& id);

struct RunOptions {
  bool detach = false;
  bool keep = false;  // don't delete after the container exits
};
// create + start; in the foreground waits, relays the terminal and
// signals, deletes (unless keep) and returns the container's exit code.
Result<int> run(const Context& ctx, const CreateOptions& options, const RunOptions& run);

Result<oci::State> state(const Context& ctx, const std::string& id);
Result<std::vector<oci::State>> list(const Context& ctx);

Result<> kill(const Context& ctx, const std::string& id, int sig, bool all);
Result<> remove(const Context& ctx, const std::string& id, bool force);
Result<> pause(const Context& ctx, const std::string& id);
Result<> resume(const Context& ctx, const std::string& id);
Result<std::vector<pid_t>> pids(const Context& ctx, const std::string& id);

struct ExecOptions {
  std::string id;
  oci::Process process;  // fully formed (see exec_process_from_flags)
  std::string console_socket;
  std::string pid_file;
  bool detach = false;
  int preserve_fds = 0;
  bool ignore_paused = false;  // join a frozen container (runs once thawed)
  // exec --cgroup: controller ("" = every hierarchy) -> a group below the
  // container's own, which the process joins instead (see parse_sub_cgroups).
  std::map<std::string, std::string> sub_cgroups;
};
// runc's `exec --cgroup` values: "path" (alone) or "ctrl[,ctrl...]:path".
Result<std::map<std::string, std::string>> parse_sub_cgroups(const std::vector<std::string>& args);
// Runs a process in the container. Detached: returns 0 once it runs.
// Otherwise waits (relaying a terminal if asked) and returns its exit code.
Result<int> exec(const Context& ctx, const ExecOptions& options);
// The container's process config with runc's `exec` flag overrides.
struct ExecFlags {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  std::string user;  // "uid[:gid]"
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;
  bool tty = false;
  bool no_new_privs = false;
};
Result<oci::Process> exec_process_from_flags(const Context& ctx, const std::string& id,
                                             const ExecFlags& flags);

Result<> update(const Context& ctx, const std::string& id, const oci::Resources& resources);
Result<cgroups::Stats> stats(const Context& ctx, const std::string& id);
// `events`: calls `emit` with each JSON event line until the container
// stops (or once with --stats semantics when `once`).
Result<> events(const Context& ctx, const std::string& id, std::chrono::milliseconds interval,
                bool once, const std::function<void(const std::string&)>& emit);

// runc's `features` document (JSON, pretty-printed).
std::string features_json();

}  // namespace berth::runtime
