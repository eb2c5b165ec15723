#include "runtime/init.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/log_output.hpp"
#include "base/strings.hpp"
#include "runtime/console.hpp"
#include "runtime/hooks.hpp"
#include "runtime/log_forward.hpp"
#include "runtime/process_exec.hpp"
#include "runtime/rootfs.hpp"
#include "sys/mount_api.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

oci::State creating_state(const InitConfig& c, pid_t host_pid) {
  oci::State s;
  s.oci_version = c.spec->oci_version;
  s.id = c.id;
  s.status = oci::Status::Creating;
  s.pid = host_pid;
  s.bundle = c.bundle;
  s.annotations = c.spec->annotations;
  return s;
}

Result<> join_and_unshare(const InitConfig& c) {
  for (auto& j : *c.joins) {
    log::debug("setns into namespace", {{"path", j.path}});
    TRY(sys::setns(j.fd.get(), j.nstype, j.path));
  }
  if (c.new_userns) {
    // Become root of the new user namespace (the parent mapped us).
    // Best effort: a mapping without uid 0 leaves us as we are.
    (void)!::setresgid(0, 0, 0);
    (void)!::setresuid(0, 0, 0);
  }
  if (c.late_unshare) {
    log::debug("unshare remaining namespaces", {{"flags", c.late_unshare}});
    TRY(sys::unshare(c.late_unshare));
  }
  if ((c.late_unshare & CLONE_NEWTIME) && c.spec->linux) {
    std::string offsets;
    for (const auto& [clock, off] : c.spec->linux->time_offsets)
      offsets += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    if (!offsets.empty()) TRY_CTX(write_knob("/proc/self/timens_offsets", offsets), "time offsets");
  }
  return ok();
}

Result<> set_names(const oci::Spec& spec) {
  if (!spec.hostname.empty()) TRY(sys::set_hostname(spec.hostname));
  if (!spec.domainname.empty()) TRY(sys::set_domainname(spec.domainname));
  return ok();
}

Result<> join_session_keyring(const std::string& id) {
  constexpr int kJoinSessionKeyring = 1;  // KEYCTL_JOIN_SESSION_KEYRING
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, kJoinSessionKeyring, name.c_str()) < 0 && errno != ENOSYS)
    return sys_error("join session keyring");
  return ok();
}

Result<> setup_console(const InitConfig& c) {
  auto pty = TRY(open_pty(c.spec->process->console_size));
  TRY(mount_console(pty.slave_path));
  TRY(c.sync->send_with_fd("pty", pty.master.get()));
  return become_terminal_session(pty.slave.get());
}

Result<pid_t> await_go(const InitConfig& c) {
  auto go = TRY(c.sync->recv());
  if (!go.starts_with("go:")) return make_error(ErrorCategory::Internal, "parent went away");
  if (c.new_userns) (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return parse_int<pid_t>(go.substr(3));
}

// Everything up to "ready"; returns the resolved executable.
Result<std::string> setup(const InitConfig& c, pid_t& host_pid) {
  reset_signals();
  // runc's nsexec stage: the namespaces made at clone, the parent's id
  // maps and cgroup ("go"), then the joins and late unshares.
  log::debug("=> nsexec container setup");
  // Not dumpable: a process already in a joined pid namespace must not
  // reach the runtime binary through /proc/<pid>/exe or our memory
  // (CVE-2019-5736 class). With a new user namespace the parent still has
  // to write our uid/gid maps, which a non-dumpable child's /proc denies
  // to an unprivileged parent, so then we wait for "go".
  if (!c.new_userns) (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // "go" also says the parent has moved us into the container's cgroups.
  // A new cgroup namespace must be rooted there, so then we wait first;
  // otherwise the rootfs is built meanwhile (the parent's v1 cgroup work
  // and ours overlap) and we wait before anything runs in the container.
  const bool go_first = c.new_userns || (c.late_unshare & CLONE_NEWCGROUP) != 0;
  if (go_first) host_pid = TRY(await_go(c));
  if (::chdir(c.bundle.c_str()) != 0) return sys_error("chdir " + c.bundle);
  TRY(join_and_unshare(c));
  log::debug("<= nsexec container setup");
  TRY(set_names(*c.spec));
  const bool userns = c.new_userns || (c.spec->linux && c.spec->linux->find_namespace("user"));
  RootfsContext rctx{*c.spec, c.rootfs, userns, (c.late_unshare & CLONE_NEWCGROUP) != 0, c.bind_fds, c.cgroup_paths};
  log::debug("prepare rootfs", {{"rootfs", c.rootfs}});
  auto root = TRY(prepare_rootfs(rctx));
  if (!go_first) host_pid = TRY(await_go(c));
  if (c.parent_hooks) {
    TRY(c.sync->send("hooks"));
    TRY(c.sync->expect("go"));
  }
  if (c.spec->hooks && !c.spec->hooks->create_container.empty()) log::debug("run createContainer hooks");
  if (c.spec->hooks)
    TRY(run_hooks(c.spec->hooks->create_container, creating_state(c, host_pid), "createContainer"));
  log::debug(c.no_pivot ? "move rootfs to / and chroot (no pivot_root)" : "pivot_root into rootfs");
  TRY(enter_rootfs(root.get(), c.no_pivot));
  root.reset();
  if (c.spec->process->terminal) {
    log::debug("set up console");
    TRY(setup_console(c));
  }
  log::debug("finish rootfs (sysctls, masked and readonly paths)");
  TRY(finish_rootfs(*c.spec));
  if (!c.no_new_keyring) TRY(join_session_keyring(c.id));
  const oci::Seccomp* seccomp = c.spec->linux && c.spec->linux->seccomp ? &*c.spec->linux->seccomp : nullptr;
  close_fds_for_exec(c.preserve_fds, {c.sync->fd(), c.fifo_fd, log::output_fd()});
  ProcessSetup process{*c.spec->process, seccomp, setgroups_allowed(), c.sync};
  log::debug("apply process limits, user and capabilities");
  TRY(apply_process_setup(process));
  auto path = TRY(find_executable(*c.spec->process));
  TRY(load_late_seccomp(process));
  return path;
}

// Block until `start` opens the fifo for reading. The write end stays
// open (CLOEXEC) until execve closes it: `start` reads until EOF, so
// poststart hooks run only once the process runs.
void wait_for_start(const InitConfig& c) {
  int fd = ::open(sys::fd_path(c.fifo_fd).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::write(fd, "0", 1) != 1) {
    std::string msg = "berth-runtime init: open exec fifo: " + std::string(::strerror(errno)) + "\n";
    (void)!::write(2, msg.data(), msg.size());
    ::_exit(1);
  }
}

}  // namespace

void init_main(const InitConfig& c) {
  log_to_parent(c.log_fd);
  log::debug("child process in init()");
  pid_t host_pid = 0;
  auto path = setup(c, host_pid);
  if (!path) {
    (void)c.sync->send("error:" + path.error().to_string());
    ::_exit(1);
  }
  // The log pipe closes before "ready": the parent forwards up to its EOF
  // and so has every record of the setup before create returns.
  log::debug("init: closing the pipe to signal completion");
  stop_logging_to_parent(c.log_fd);
  // A seccomp profile that denies the runtime's own last steps fails here:
  // exit so the parent reads EOF instead of waiting for "ready" forever.
  if (!c.sync->send("ready")) ::_exit(1);
  // A `run` that starts the process itself answers "exec"; otherwise the
  // channel closes when create returns and we wait for `start`.
  auto next = c.sync->recv();
  if (!next || *next != "exec") wait_for_start(c);
  ::close(c.fifo_fd);
  if (c.spec->hooks) {
    oci::State s = creating_state(c, host_pid);
    s.status = oci::Status::Running;
    auto hooked = run_hooks(c.spec->hooks->start_container, s, "startContainer");
    if (!hooked) {
      std::string msg = hooked.error().to_string() + "\n";
      (void)!::write(2, msg.data(), msg.size());
      ::_exit(1);
    }
  }
  auto r = exec_process({*c.spec->process}, *path);
  std::string msg = "berth-runtime: " + r.error().to_string() + "\n";
  (void)!::write(2, msg.data(), msg.size());
  ::_exit(127);
}

}  // namespace berth::runtime
