// HostContainerService: exec sessions. Each started exec gets its own
// berth-monitor (--exec) in <container dir>/exec/<exec id>/, which runs the
// process through the runtime library, holds its stdio or PTY, relays it
// to berthd's connection and records the exit code in the session's exit
// file. Like dockerd, berthd keeps exec configurations in memory only.
#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <utility>
#include <boost/json.hpp>

#include "base/file.hpp"
#include "base/owned_pid.hpp"
#include "base/strings.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "engine/container_spec.hpp"
#include "engine/monitor_spawn.hpp"
#include "monitor/protocol.hpp"
#include "oci/json.hpp"
#include "oci/runtime_codec.hpp"

namespace berth::engine {

namespace {

namespace json = boost::json;

constexpr auto kExecRetention = std::chrono::minutes(5);

// dockerd's event action: the entrypoint, a space, the arguments (so a
// bare command keeps a trailing space).
std::string exec_action(const std::vector<std::string>& cmd) {
  if (cmd.empty()) return " ";
  return cmd[0] + " " + join(std::vector<std::string>(cmd.begin() + 1, cmd.end()), " ");
}

Unexpected bad(const std::string& msg) { return make_error(ErrorCategory::InvalidArgument, msg); }

Result<std::vector<std::string>> strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return bad(std::string("json: cannot unmarshal into field ") + key + " of type []string");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return bad(std::string("json: cannot unmarshal into field ") + key + " of type string");
    out.emplace_back(e.as_string());
  }
  return out;
}

Result<std::string> string_field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return bad(std::string("json: cannot unmarshal into field ") + key + " of type string");
  return std::string(v->as_string());
}

Result<bool> bool_field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return bad(std::string("json: cannot unmarshal into field ") + key + " of type bool");
  return v->as_bool();
}

std::string new_exec_id() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 15]);
  }
  return id;
}

// The container's own process (env, capabilities, user, rlimits) with the
// exec's overrides, as dockerd derives an exec process from the spec.
Result<oci::Process> exec_process(const Container& c, const ExecSettings& s, const ExecStart& start) {
  auto spec = TRY(oci::parse_spec(TRY(read_file(c.dir + "/" + monitor::kConfigFile, 16u << 20))));
  oci::Process p = spec.process.value_or(oci::Process{});
  p.args = s.cmd;
  p.terminal = s.tty;
  p.console_size.reset();
  if (s.tty && start.console_size && start.console_size->first > 0 && start.console_size->second > 0)
    p.console_size = oci::ConsoleSize{static_cast<uint32_t>(start.console_size->first),
                                      static_cast<uint32_t>(start.console_size->second)};
  if (!s.working_dir.empty()) p.cwd = s.working_dir;
  // dockerd: the exec's user (the container's when unset) with the
  // container's GroupAdd; the env rebuilt from Config.Env for the exec's tty.
  auto settings = TRY(run_settings(c));
  auto user = TRY(resolve_rootfs_user(c.dir + "/rootfs", s.user.empty() ? settings.user : s.user,
                                      settings.group_add));
  p.user.uid = user.uid;
  p.user.gid = user.gid;
  p.user.additional_gids = user.additional_gids;
  p.env = process_env(settings.env, settings.hostname, s.tty, s.env, user.home);
  return p;
}

}  // namespace

Result<ExecSettings> parse_exec_body(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return bad("invalid JSON: exec configuration must be a JSON object");
  const auto& o = v.as_object();
  ExecSettings s;
  s.cmd = TRY(strings(o, "Cmd"));
  s.env = TRY(strings(o, "Env"));
  s.user = TRY(string_field(o, "User"));
  s.working_dir = TRY(string_field(o, "WorkingDir"));
  s.detach_keys = TRY(string_field(o, "DetachKeys"));
  s.tty = TRY(bool_field(o, "Tty"));
  s.attach_stdin = TRY(bool_field(o, "AttachStdin"));
  s.attach_stdout = TRY(bool_field(o, "AttachStdout"));
  s.attach_stderr = TRY(bool_field(o, "AttachStderr"));
  s.privileged = TRY(bool_field(o, "Privileged"));
  if (s.cmd.empty()) return bad("No exec command specified");
  if (!s.working_dir.empty() && !s.working_dir.starts_with("/"))
    return bad("the working directory '" + s.working_dir + "' is invalid, it needs to be an absolute path");
  for (const auto& e : s.env)
    if (e.empty() || e[0] == '=') return bad("invalid environment variable: " + e);
  return s;
}

Result<std::string> HostContainerService::exec_create(const std::string& ref, std::string_view body) {
  auto settings = TRY(parse_exec_body(body));
  auto e = TRY(find(ref));
  auto x = std::make_shared<ExecEntry>();
  x->id = new_exec_id();
  x->s = std::move(settings);
  Container c;
  {
    std::lock_guard lock(mu_);
    if (!e->c.state.running()) return make_error(ErrorCategory::Conflict, "Container " + e->c.id + " is not running");
    if (e->c.state.paused)
      return make_error(ErrorCategory::Conflict,
                        "Container " + e->c.id + " is paused, unpause the container before exec");
    // Sessions of removed containers are of no use to anyone any more,
    // nor are those that ended minutes ago (dockerd's exec GC: 5–10 min).
    auto stale = std::chrono::steady_clock::now() - kExecRetention;
    std::erase_if(execs_, [&](const auto& kv) {
      const auto& old = *kv.second;
      return !entries_.contains(old.container_id) || (old.ended && *old.ended < stale);
    });
    x->container_id = e->c.id;
    execs_[x->id] = x;
    c = e->c;
  }
  publish(c, "exec_create: " + exec_action(x->s.cmd), {{"execID", x->id}});
  return x->id;
}

Result<ExecInfo> HostContainerService::exec_inspect(const std::string& exec_id) {
  std::lock_guard lock(mu_);
  auto it = execs_.find(exec_id);
  if (it == execs_.end()) return make_error(ErrorCategory::NotFound, "No such exec instance: " + exec_id);
  auto& x = *it->second;
  x.refresh();
  return ExecInfo{x.id, x.container_id, x.s, x.running, x.exit_code, x.running ? x.pid : 0};
}

Result<UniqueFd> HostContainerService::exec_start(const std::string& exec_id, const ExecStart& start) {
  std::shared_ptr<ExecEntry> x;
  std::shared_ptr<Entry> e;
  Container c;
  {
    std::lock_guard lock(mu_);
    auto it = execs_.find(exec_id);
    if (it == execs_.end()) return make_error(ErrorCategory::NotFound, "No such exec instance: " + exec_id);
    x = it->second;
    if (x->started)
      return make_error(ErrorCategory::Conflict, "Error: Exec command " + exec_id + " is already running");
    auto ce = entries_.find(x->container_id);
    if (ce == entries_.end()) return make_error(ErrorCategory::NotFound, "No such container: " + x->container_id);
    e = ce->second;
    if (!e->c.state.running() || !e->monitor_ready)
      return make_error(ErrorCategory::Conflict, "Container " + e->c.id + " is not running");
    if (e->c.state.paused)
      return make_error(ErrorCategory::Conflict, "Container " + e->c.id + " is paused, unpause the container before exec");
    x->started = true;
    c = e->c;
  }
  // dockerd announces the start before it tries; whatever then keeps the
  // exec from running leaves it with exit code 126 (`docker exec` reads it
  // back from inspect) and no exec_die.
  publish(c, "exec_start: " + exec_action(x->s.cmd), {{"execID", x->id}});
  auto failed = [&](const Error& err) {
    (void)remove_tree(c.dir + "/exec/" + exec_id);
    std::lock_guard lock(mu_);
    x->exit_code = 126;
    x->died = true;
    x->ended = std::chrono::steady_clock::now();
    return tl::unexpected(err);
  };
  auto process = exec_process(c, x->s, start);
  if (!process) return failed(process.error());
  std::string dir = c.dir + "/exec";
  if (auto made = make_dirs(dir + "/" + exec_id, 0700); !made) return failed(made.error());
  dir += "/" + exec_id;
  auto dirfd = open_file(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (!dirfd) return failed(dirfd.error());
  auto written = write_file_atomic_at(dirfd->get(), monitor::kProcessFile,
                                      oci::to_json(oci::process_to_json(*process)), 0600);
  if (!written) return failed(written.error());
  std::vector<std::string> args = {"--id", c.id, "--dir", dir, "--runtime-root", runtime_root_, "--exec", exec_id};
  bool in = x->s.attach_stdin && !start.detach;
  if (x->s.tty) args.push_back("--tty");
  if (in) args.insert(args.end(), {"--stdin", "--stdin-once"});
  auto pids = spawn_monitor_process(find_monitor_binary(o_.monitor_path), args, dir + "/monitor.log");
  if (!pids) return failed(pids.error());
  auto pidfd = pidfd_open(static_cast<pid_t>(pids->first));
  auto fd = monitor::connect(dirfd->get());
  if (!fd) return failed(fd.error());
  bool out = !start.detach && x->s.attach_stdout, err = !start.detach && x->s.attach_stderr;
  auto answer = monitor::command(fd->get(), std::string("exec ") + (in ? "1 " : "0 ") + (out ? "1 " : "0 ") + (err ? "1" : "0"));
  {
    std::lock_guard lock(mu_);
    x->dirfd = std::move(*dirfd);
    x->dir = dir;
    if (pidfd) x->monitor_pidfd = std::move(*pidfd);
    if (!answer) {
      x->exit_code = 126;
      x->died = true;
    } else {
      x->running = true;
      x->pid = parse_int<int64_t>(*answer).value_or(0);
    }
  }
  if (!answer)
    return make_error(ErrorCategory::Internal, "OCI runtime exec failed: " + answer.error().to_string() + ": unknown");
  wake_reaper();  // it watches the session's monitor for exec_die
  if (start.detach) return UniqueFd();
  return std::move(*fd);
}

Result<> HostContainerService::exec_resize(const std::string& exec_id, int height, int width) {
  std::shared_ptr<ExecEntry> x;  // keeps its dirfd open while we call
  {
    std::lock_guard lock(mu_);
    auto it = execs_.find(exec_id);
    if (it == execs_.end()) return make_error(ErrorCategory::NotFound, "No such exec instance: " + exec_id);
    x = it->second;
    x->refresh();
    if (!x->running) return make_error(ErrorCategory::Conflict, "Exec " + exec_id + " is not running");
  }
  TRY(monitor::call(x->dirfd.get(), "resize " + std::to_string(height) + " " + std::to_string(width)));
  return ok();
}

void HostContainerService::exec_ended(const std::shared_ptr<ExecEntry>& x) {
  Container c;
  std::string dir;
  bool publish_die = false;
  {
    std::lock_guard lock(mu_);
    x->refresh();
    x->monitor_pidfd.reset();
    if (x->running) {  // the monitor died without an exit file
      x->running = false;
      x->exit_code = 126;
    }
    // The exit code is in memory now: the session's directory (process
    // file, monitor socket, exit file) goes at once instead of piling up
    // until the container is removed; inspect answers from memory.
    x->dirfd.reset();
    dir = std::exchange(x->dir, std::string());
    if (!x->ended) x->ended = std::chrono::steady_clock::now();
    auto it = entries_.find(x->container_id);
    if (!x->died && x->started && it != entries_.end()) {
      x->died = true;
      publish_die = true;
      c = it->second->c;
    }
  }
  if (!dir.empty()) (void)remove_tree(dir);
  if (publish_die)
    publish(c, "exec_die", {{"execID", x->id}, {"exitCode", std::to_string(x->exit_code.value_or(126))}});
}

Result<> HostContainerService::exec_kill(const std::string& exec_id, int sig) {
  std::shared_ptr<ExecEntry> x;
  {
    std::lock_guard lock(mu_);
    auto it = execs_.find(exec_id);
    if (it == execs_.end()) return make_error(ErrorCategory::NotFound, "No such exec instance: " + exec_id);
    x = it->second;
    if (!x->dirfd) return make_error(ErrorCategory::Conflict, "Exec " + exec_id + " is not running");
  }
  TRY(monitor::call(x->dirfd.get(), "kill " + std::to_string(sig)));
  return ok();
}

void HostContainerService::forget_exec(const std::string& exec_id) {
  std::shared_ptr<ExecEntry> x;
  {
    std::lock_guard lock(mu_);
    auto it = execs_.find(exec_id);
    if (it == execs_.end()) return;
    x = it->second;
    x->monitor_pidfd.reset();  // the session is over as far as we care
  }
  exec_ended(x);
  std::lock_guard lock(mu_);
  execs_.erase(exec_id);
}

void HostContainerService::kill_execs(const std::string& container_id) {
  struct Session {
    std::shared_ptr<ExecEntry> x;
    UniqueFd monitor;  // a duplicate: the session's own fd may be reset meanwhile
  };
  std::vector<Session> running;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, x] : execs_) {
      x->refresh();
      if (x->container_id != container_id || !x->running || !x->dirfd) continue;
      int fd = x->monitor_pidfd ? ::fcntl(x->monitor_pidfd.get(), F_DUPFD_CLOEXEC, 3) : -1;
      running.push_back({x, UniqueFd(fd)});
    }
  }
  // Their processes normally die with the container's PID namespace;
  // these cover a shared one (--pid host) and stuck monitors.
  for (const auto& s : running) (void)monitor::call(s.x->dirfd.get(), "kill 9");
  // dockerd reports a session's exec_die before its container's die; the
  // reaper would see these monitors exit in a later round than the
  // container's, so wait for them here (bounded) and end them first.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (const auto& s : running) {
    if (!s.monitor) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{s.monitor.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) == 1) exec_ended(s.x);
  }
}

}  // namespace berth::engine

namespace berth::engine {

void HostContainerService::prune_exec_dirs(const Container& c) {
  std::string root = c.dir + "/exec";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string dir = it->path().string();
    auto dirfd = open_file(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    // A monitor that still answers serves a session that still runs.
    if (dirfd && monitor::call(dirfd->get(), "ping")) continue;
    (void)remove_tree(dir);
  }
}

}  // namespace berth::engine
