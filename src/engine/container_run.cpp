// HostContainerService: start (through berth-monitor), stop, kill,
// resize, wait, attach, the reaper thread and re-adoption at startup.
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/owned_pid.hpp"
#include "base/strings.hpp"
#include "engine/container_config.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_network.hpp"
#include "engine/container_store.hpp"
#include "engine/crash_point.hpp"
#include "engine/container_spec.hpp"
#include "engine/monitor_spawn.hpp"
#include "engine/volume_service.hpp"
#include "monitor/protocol.hpp"
#include "oci/image_config.hpp"
#include "oci/json.hpp"
#include "oci/runtime_codec.hpp"
#include "snapshot/mount.hpp"


namespace berth::engine {
namespace {

Container c_copy(const HostContainerService::Entry& e, std::mutex& mu) {
  std::lock_guard lock(mu);
  return e.c;
}

Unexpected not_running(const std::string& id) {
  return make_error(ErrorCategory::Conflict, "Container " + id + " is not running");
}

// Files rewritten before every start (hostname, hosts, config.json): no
// fsync, a crash just means they are written again.
Result<> write_volatile(const std::string& path, std::string_view data, mode_t mode) {
  auto fd = TRY(open_file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  return write_all(fd.get(), data);
}

int exit_code_for_start_error(const std::string& msg) {
  if (msg.find("executable file not found") != std::string::npos ||
      msg.find("no such file or directory") != std::string::npos)
    return 127;
  if (msg.find("permission denied") != std::string::npos) return 126;
  return 128;
}

// The CLI prints the daemon's message: for a process the runtime could
// not start, Debian's dockerd words it with containerd's and runc's
// prefixes around the runtime's reason.
std::string start_error_text(const std::string& msg) {
  auto at = msg.find("unable to start container process: ");
  if (at == std::string::npos) return "failed to create task for container: " + msg;
  return "failed to create shim task: OCI runtime create failed: runc create failed: " + msg.substr(at) +
         ": unknown";
}

// What the reaper polls for a container's end. An auto-removed container
// is over once its monitor recorded the exit and hung up its readiness
// pipe, before the runtime's cleanup (the id is never created again, so
// that cleanup cannot race a new start); any other once its monitor exited.
int exit_fd(const HostContainerService::Entry& e) {
  return e.monitor_done && e.c.auto_remove ? e.monitor_done.get() : e.monitor_pidfd.get();
}

// A pidfd polls readable once the process exited; the readiness pipe only
// counts when it hung up (the monitor writes nothing more into it).
bool exited(const pollfd& p) {
  if (!(p.revents & POLLIN) || (p.revents & (POLLHUP | POLLERR))) return p.revents != 0;
  struct stat st {};
  if (::fstat(p.fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return true;  // a pidfd
  char junk[64];
  (void)!::read(p.fd, junk, sizeof junk);  // stray bytes: drop them, keep waiting
  return false;
}

}  // namespace

void HostContainerService::wake_reaper() {
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
}

Result<> HostContainerService::prepare_start(Entry& e) {
  Container c;
  {
    std::lock_guard lock(mu_);
    c = e.c;
  }
  auto settings = TRY(run_settings(c));
  std::string rootfs = c.dir + "/rootfs";
  unmount_rootfs(c);
  std::unique_lock db_lock(db_mu_);
  auto mounts = o_.stores->snapshots->mounts(snapshot_key(c.id));
  db_lock.unlock();
  if (!mounts) return tl::unexpected(mounts.error());
  TRY_CTX(snapshot::mount_all(*mounts, rootfs), "mount rootfs");
  SpecPaths paths;
  paths.rootfs = rootfs;
  paths.hostname = c.dir + "/hostname";
  paths.hosts = c.dir + "/hosts";
  TRY(write_volatile(paths.hostname, settings.hostname + "\n", 0644));
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (settings.network_mode != "host") hosts += "127.0.1.1\t" + settings.hostname + "\n";
  TRY(write_volatile(paths.hosts, hosts, 0644));
  if (settings.network_mode == "host") {
    paths.resolv_conf = c.dir + "/resolv.conf";
    auto host_resolv = read_file("/etc/resolv.conf", 1u << 20);
    TRY(write_volatile(paths.resolv_conf, host_resolv ? *host_resolv : "", 0644));
  }
  if (settings.init) {
    paths.init = find_init_binary();
    if (paths.init.empty())
      return make_error(ErrorCategory::Internal, "exec: \"docker-init\": executable file not found in $PATH");
  }
  if (o_.network) TRY(o_.network->prepare(c, paths));
  auto spec = TRY(container_spec(c, settings, paths));
  if (o_.volumes) TRY(o_.volumes->prepare(c, rootfs, spec));
  TRY(write_volatile(c.dir + "/" + monitor::kConfigFile, oci::to_json(oci::spec_to_json(spec)), 0600));
  return ok();
}

Result<std::pair<int64_t, int64_t>> HostContainerService::spawn_monitor(Entry& e, UniqueFd* done) {
  std::vector<std::string> args = {"--id", e.c.id, "--dir", e.c.dir, "--runtime-root", runtime_root_};
  if (e.c.tty) args.push_back("--tty");
  if (e.c.open_stdin) args.push_back("--stdin");
  if (e.c.stdin_once) args.push_back("--stdin-once");
  return spawn_monitor_process(find_monitor_binary(o_.monitor_path), args, e.c.dir + "/monitor.log", done);
}

std::optional<bool> HostContainerService::end_run(const std::shared_ptr<Entry>& e,
                                                  const std::function<bool(Entry&)>& mark,
                                                  const std::function<void(const Container&)>& ended,
                                                  bool exited) {
  Container c;
  bool auto_rm;
  {
    std::lock_guard lock(mu_);
    if (!mark(*e)) return std::nullopt;
    auto_rm = e->c.auto_remove && !e->removing;
    // An auto-removed container's next row is `removing`, written first
    // thing by remove_entry: the `exited` row in between would be one more
    // transaction on the path `docker run --rm` waits on. A crash in
    // between leaves the `running` row, which adopt() turns into `exited`
    // from the exit file, as it would this one.
    if (!auto_rm) persist(*e);
    c = e->c;
    if (auto_rm) e->removing = true;
    e->fire(WaitCondition::NextExit, {c.state.exit_code, ""});
    e->changed();
    cv_.notify_all();
  }
  if (!auto_rm || !exited) unmount_rootfs(c);  // else remove_entry's janitor job does
  if (ended) ended(c);
  // dockerd's auto-remove takes the anonymous volumes along (RemoveVolume).
  if (auto_rm)
    if (auto r = remove_entry(e, true, exited); !r) log::warn("auto-remove", {{"id", c.id}, {"error", r.error()}});
  return auto_rm;
}

void HostContainerService::start_failed(const std::shared_ptr<Entry>& e, const Error& error) {
  if (o_.network) o_.network->detach(c_copy(*e, mu_));
  end_run(e, [&](Entry& x) {
    x.starting = false;
    x.c.state.exit_code = exit_code_for_start_error(error.to_string());
    x.c.state.error = error.to_string();
    x.c.state.finished_at = oci::rfc3339_now();
    return true;
  });
}

// The runtime created the container (its process waits at the exec
// barrier) but its network could not be attached, e.g. a host port is
// taken: the process is killed before it ran a single instruction of the
// user's and the container goes back to "created" with the error and exit
// code 128, as dockerd leaves it; the network released what it had.
Error HostContainerService::abort_start(const std::shared_ptr<Entry>& e, const Error& error) {
  (void)monitor::call(e->dirfd.get(), "kill 9");
  if (e->monitor_pidfd) {
    // `starting` keeps the reaper away from this monitor; wait its exit.
    pollfd p{e->monitor_pidfd.get(), POLLIN, 0};
    (void)::poll(&p, 1, 10000);
  }
  if (o_.network) o_.network->detach(c_copy(*e, mu_));
  end_run(e, [&](Entry& x) {
    x.starting = false;
    x.monitor_pidfd.reset();
    x.monitor_done.reset();
    x.monitor_ready = false;
    auto& st = x.c.state;
    st.status = "created";
    st.exit_code = 128;
    st.error = error.message();
    st.pid = st.monitor_pid = 0;
    return true;
  });
  return error;
}

Result<bool> HostContainerService::start(const std::string& ref) {
  auto e = TRY(find(ref));
  {
    std::lock_guard lock(mu_);
    if (e->c.state.running() || e->starting) return false;
    if (e->removing)
      return make_error(ErrorCategory::Conflict, "container is marked for removal and cannot be started");
    e->starting = true;
    e->stop_requested = false;
    e->c.state.manually_stopped = false;
    e->c.state.restarting = false;
  }
  auto started = prepare_start(*e);
  if (started) crash_point("start:mounted");
  UniqueFd done;
  auto pids = started ? spawn_monitor(*e, &done) : Result<std::pair<int64_t, int64_t>>(tl::unexpected(started.error()));
  if (!pids) {
    // A missing network is reported as dockerd words it.
    const auto& m = pids.error().message();
    bool network = m.starts_with("network ") && m.ends_with(" not found");
    // A spec that cannot be made (an unknown user or group) is dockerd's
    // own error, without the task-creation prefix.
    Error err(pids.error().category(), network ? m
                                       : started ? start_error_text(pids.error().to_string())
                                                 : pids.error().to_string());
    start_failed(e, err);
    return tl::unexpected(err);
  }
  crash_point("start:monitor");
  auto pidfd = pidfd_open(static_cast<pid_t>(pids->first));
  {
    std::unique_lock lock(mu_);
    if (pidfd) e->monitor_pidfd = std::move(*pidfd);
    e->monitor_done = std::move(done);
    e->monitor_ready = true;
    e->c.state.monitor_pid = pids->first;
    e->changed();
    // Attach requests that came before start connect now, so they see
    // the container's first byte of output.
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return e->pending_attach == 0; });
  }
  // The network joins the created container's namespace before it runs.
  auto go = o_.network ? o_.network->attach(c_copy(*e, mu_), pids->second).map([] { return std::string(); })
                       : Result<std::string>(std::string());
  if (!go) {
    auto err = abort_start(e, go.error());
    if (err.message().find("external connectivity") != std::string::npos) return tl::unexpected(err);
    return make_error(ErrorCategory::Internal, "start container: " + err.to_string());
  }
  go = monitor::call(e->dirfd.get(), "start");
  if (go) crash_point("start:started");
  Container c;
  {
    std::lock_guard lock(mu_);
    e->starting = false;
    if (go) {
      e->c.state.status = "running";
      e->c.state.pid = pids->second;
      e->c.state.started_at = oci::rfc3339_now();
      e->c.state.error.clear();
      persist(*e);
    }
    c = e->c;
    e->changed();
  }
  wake_reaper();
  if (!go) {
    (void)monitor::call(e->dirfd.get(), "kill 9");
    return make_error(ErrorCategory::Internal, "start container: " + go.error().to_string());
  }
  publish(c, "start");
  arm_health(e, true);
  return true;
}

Result<> HostContainerService::signal(Entry& e, int sig) {
  // dockerd announces every signal it sends (kill, stop, rm -f); before
  // the delivery, so that the reaper's `die` cannot come first.
  publish(c_copy(e, mu_), "kill", {{"signal", std::to_string(sig)}});
  TRY(monitor::call(e.dirfd.get(), "kill " + std::to_string(sig)));
  if (sig == SIGKILL) thaw_killed(e);  // a frozen task dies only once thawed
  return ok();
}

bool HostContainerService::wait_exit(const std::shared_ptr<Entry>& e, int64_t exits_before, int seconds) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(seconds), [&] {
    return e->exits_announced > exits_before ||
           (!e->c.state.running() && !e->starting && e->exits_announced == e->exits);
  });
}

Result<bool> HostContainerService::stop(const std::string& ref, std::optional<int> timeout, const std::string& sig) {
  auto e = TRY(find(ref));
  // A bad signal leaves the container as it was (a stopped one answers 304 first).
  if (!sig.empty() && c_copy(*e, mu_).state.running()) TRY(parse_signal(sig));
  Container c;
  int64_t exits;
  {
    std::lock_guard lock(mu_);
    e->c.state.manually_stopped = true;
    e->restart_pending = false;  // a stop cancels the restart policy's next start
    e->c.state.restarting = false;
    if (!e->c.state.running()) return false;
    e->stop_requested = true;
    exits = e->exits;
    c = e->c;
  }
  auto settings = TRY(run_settings(c));
  std::string name = !sig.empty() ? sig : !settings.stop_signal.empty() ? settings.stop_signal : "TERM";
  int signo = TRY(parse_signal(name));
  int wait_s = timeout.value_or(settings.stop_timeout.value_or(10));
  if (wait_s < 0) wait_s = 365 * 24 * 3600;
  (void)signal(*e, signo);
  if (!wait_exit(e, exits, wait_s)) {
    (void)signal(*e, SIGKILL);
    if (!wait_exit(e, exits, 30)) return make_error(ErrorCategory::Internal, "container " + ref + " did not stop");
  }
  publish(c_copy(*e, mu_), "stop");
  return true;
}

Result<> HostContainerService::restart(const std::string& ref, std::optional<int> timeout, const std::string& sig) {
  TRY(stop(ref, timeout, sig));
  TRY(start(ref));
  auto e = TRY(find(ref));
  publish(c_copy(*e, mu_), "restart");
  return ok();
}

Result<> HostContainerService::kill(const std::string& ref, const std::string& sig) {
  int signo = TRY(parse_signal(sig.empty() ? "KILL" : sig));
  auto e = TRY(find(ref));
  if (!signal_supported(signo))  // dockerd's words and status (500), the number as Go prints it
    return make_error(ErrorCategory::Internal, "Cannot kill container: " + ref + ": The linux daemon does not support signal " +
                                                   std::to_string(static_cast<uint64_t>(static_cast<int64_t>(signo))));
  {
    std::lock_guard lock(mu_);
    if (!e->c.state.running())
      return make_error(ErrorCategory::Conflict, "Cannot kill container: " + ref + ": Container " + e->c.id + " is not running");
    if (signo == SIGKILL || signo == SIGTERM || signo == SIGINT) {  // a stop by hand: no restart
      e->c.state.manually_stopped = true;
      e->restart_pending = false;
      e->c.state.restarting = false;
    }
  }
  return signal(*e, signo);
}

Result<> HostContainerService::resize(const std::string& ref, int height, int width) {
  auto e = TRY(find(ref));
  {
    std::lock_guard lock(mu_);
    if (!e->monitor_ready) return not_running(e->c.id);
  }
  TRY(monitor::call(e->dirfd.get(), "resize " + std::to_string(height) + " " + std::to_string(width)));
  return ok();
}

Result<Handle> HostContainerService::wait(const std::string& ref, WaitCondition condition,
                                          std::function<void(WaitResult)> done) {
  auto e = TRY(find(ref));
  auto token = std::make_shared<int>(0);
  std::lock_guard lock(mu_);
  if (condition == WaitCondition::NotRunning && !e->c.state.running() && !e->starting) {
    done({e->c.state.exit_code, ""});
    return Handle(token);
  }
  e->waiters.push_back({condition, std::move(done), token});
  return Handle(token);
}

Handle HostContainerService::watch(const std::string& id, std::function<void()> changed) {
  auto token = std::make_shared<int>(0);
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second->watchers.push_back({std::move(changed), token});
  return token;
}

Result<Handle> HostContainerService::reserve_attach(const std::string& ref) {
  auto e = TRY(find(ref));
  std::lock_guard lock(mu_);
  ++e->pending_attach;
  std::weak_ptr<Entry> weak = e;
  return Handle(new int(0), [this, weak](int* p) {
    delete p;
    std::lock_guard lock(mu_);
    if (auto e = weak.lock()) --e->pending_attach;
    cv_.notify_all();
  });
}

Result<UniqueFd> HostContainerService::attach(const std::string& id, const AttachStreams& s) {
  auto e = TRY(find(id));
  {
    std::lock_guard lock(mu_);
    if (!e->monitor_ready) return make_error(ErrorCategory::Unavailable, "container " + id + " is not running");
  }
  auto fd = TRY(monitor::connect(e->dirfd.get()));
  TRY(monitor::command(fd.get(), std::string("attach ") + (s.in ? "1 " : "0 ") + (s.out ? "1 " : "0 ") + (s.err ? "1" : "0")));
  return fd;
}

void HostContainerService::on_monitor_exit(const std::shared_ptr<Entry>& e) {
  // Released before the exit is visible: a stop returns with ports free.
  if (o_.network) o_.network->detach(c_copy(*e, mu_));
  auto removed = end_run(
      e,
      [&](Entry& x) {
        if (!x.monitor_pidfd) return false;
        x.monitor_pidfd.reset();
        x.monitor_done.reset();
        x.monitor_ready = false;
        auto ex = monitor::read_exit(x.dirfd.get());
        auto& st = x.c.state;
        st.status = "exited";
        st.exit_code = ex ? ex->code : 255;
        st.finished_at = ex ? ex->finished_at : oci::rfc3339_now();
        if (!ex) st.error = "berth-monitor exited without recording the container's exit";
        st.pid = 0;
        st.monitor_pid = 0;
        st.paused = false;
        health_stopped(x);
        ++x.exits;
        return true;
      },
      [&](const Container& c) {
        kill_execs(c.id);
        publish(c, "die", {{"exitCode", std::to_string(c.state.exit_code)}});
        std::lock_guard lock(mu_);
        ++e->exits_announced;
        cv_.notify_all();
      },
      true);
  if (removed && !*removed) schedule_restart(e, false);
}

void HostContainerService::reaper() {
  for (;;) {
    std::vector<pollfd> fds{{wake_fd_.get(), POLLIN, 0}};
    std::vector<std::shared_ptr<Entry>> who;
    std::vector<std::shared_ptr<ExecEntry>> sessions;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      for (const auto& [id, e] : entries_) {
        if (!e->monitor_pidfd || e->starting) continue;
        fds.push_back({exit_fd(*e), POLLIN, 0});
        who.push_back(e);
      }
      for (const auto& [id, x] : execs_) {
        if (!x->monitor_pidfd) continue;
        fds.push_back({x->monitor_pidfd.get(), POLLIN, 0});
        sessions.push_back(x);
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
      log::error("container reaper: poll failed", {{"error", std::string(std::strerror(errno))}});
      return;
    }
    if (fds[0].revents) {
      uint64_t n;
      (void)!::read(wake_fd_.get(), &n, sizeof n);
    }
    for (size_t i = 0; i < who.size(); ++i)
      if (exited(fds[i + 1])) on_monitor_exit(who[i]);
    for (size_t i = 0; i < sessions.size(); ++i)
      if (fds[who.size() + i + 1].revents) exec_ended(sessions[i]);
  }
}

void HostContainerService::adopt(const std::shared_ptr<Entry>& e) {
  auto& st = e->c.state;
  prune_exec_dirs(e->c);
  if (st.status == "removing") {
    if (auto r = remove_entry(e); !r) log::warn("finish removal", {{"id", e->c.id}, {"error", r.error()}});
    return;
  }
  if (st.status != "running") {
    // A start that died before it was recorded may have left its monitor
    // (and a created or running container) behind.
    if (e->dirfd) stop_stale_monitor(e->c.id, e->dirfd.get());
    unmount_rootfs(e->c);
    return;
  }
  if (auto pidfd = pidfd_open(static_cast<pid_t>(st.monitor_pid)); pidfd && e->dirfd &&
                                                                     monitor::call(e->dirfd.get(), "ping")) {
    // Still running: the reaper watches its monitor from now on; an exit
    // that is already recorded shows up as the monitor exiting.
    e->monitor_pidfd = std::move(*pidfd);
    e->monitor_ready = true;
    log::info("re-adopted container", {{"id", e->c.id}, {"monitor", st.monitor_pid}});
    return;
  }
  auto ex = e->dirfd ? monitor::read_exit(e->dirfd.get()) : Result<monitor::ExitRecord>(tl::unexpected(Error(ErrorCategory::NotFound, "")));
  st.status = "exited";
  st.exit_code = ex ? ex->code : 255;
  st.finished_at = ex ? ex->finished_at : oci::rfc3339_now();
  if (!ex) st.error = "berth-monitor died while berthd was down";
  st.pid = st.monitor_pid = 0;
  health_stopped(*e);
  persist(*e);
  unmount_rootfs(e->c);
  log::info("container exited while berthd was down", {{"id", e->c.id}, {"exit_code", static_cast<int64_t>(st.exit_code)}});
}

Result<> HostContainerService::adopt_all() {
  std::unique_lock db_lock(db_mu_);
  auto rows = TRY(load_containers(*o_.stores->db));
  db_lock.unlock();
  std::vector<std::shared_ptr<Entry>> adopted;
  for (auto& c : rows) {
    c.dir = containers_dir_ + "/" + c.id;
    c.log_path = c.dir + "/" + monitor::log_file_name(c.id);
    if (auto r = derive_flags(c); !r) log::warn("container config", {{"id", c.id}, {"error", r.error()}});
    auto e = std::make_shared<Entry>();
    if (auto fd = open_file(c.dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) e->dirfd = std::move(*fd);
    e->c = std::move(c);
    names_[e->c.name] = e->c.id;
    entries_[e->c.id] = e;
    adopted.push_back(e);
  }
  for (auto& e : adopted) adopt(e);
  return ok();
}

}  // namespace berth::engine
