// exec: a new process in a running container. The parent enters the
// container's pid namespace for its next child only, clones straight into
// the container's cgroup where the kernel allows, and the child joins the
// remaining namespaces through the init's pidfd in one setns call.
//
// An unprivileged runtime (rootless) may not enter a pid namespace that
// the container's user namespace owns. Then the child joins all of them
// at once, user namespace first (the kernel orders a pidfd setns so), and
// forks the process that runs in the pid namespace; the runtime, its
// subreaper, adopts it when the first child exits.
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/log_output.hpp"
#include "base/strings.hpp"
#include "oci/runtime_validate.hpp"
#include "runtime/console.hpp"
#include "runtime/exec_cgroup.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/log_forward.hpp"
#include "runtime/record.hpp"
#include "runtime/process_exec.hpp"
#include "runtime/runtime.hpp"
#include "runtime/seccomp_notify.hpp"
#include "runtime/sync.hpp"
#include "sys/clone3.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

int namespace_flags(const oci::Spec& spec) {
  int flags = 0;
  if (spec.linux)
    for (const auto& ns : spec.linux->namespaces) flags |= sys::namespace_flag(ns.type);
  return flags;
}

// In the first child: fork the process that runs in the pid namespace
// just joined, report its host pid and exit. The new process waits for the
// parent's "go": by then the parent owns it.
Result<> fork_into_pid_namespace(const SyncChannel& sync) {
  log::debug("fork into the container's pid namespace");
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork into the container's pid namespace");
  if (pid == 0) return sync.expect("go");
  (void)sync.send("pid:" + std::to_string(pid));
  ::_exit(0);
}

Result<std::string> child_setup(const ExecOptions& o, const oci::Spec& spec, int pidfd, int ns_flags,
                                const SyncChannel& sync, bool fork_for_pid) {
  reset_signals();
  // We are already in the container's pid namespace: not dumpable, so its
  // processes cannot open our /proc/<pid>/exe (CVE-2019-5736 class).
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // runc's nsexec stage: the cgroup the parent put us in ("go"), then the
  // container's namespaces.
  log::debug("=> nsexec container setup");
  TRY(sync.expect("go"));
  int joins = fork_for_pid ? ns_flags : ns_flags & ~CLONE_NEWPID;
  if (joins) {
    log::debug("setns into the container's namespaces", {{"flags", joins}});
    TRY(sys::setns(pidfd, joins, "container namespaces"));
  }
  if (fork_for_pid) TRY(fork_into_pid_namespace(sync));
  log::debug("<= nsexec container setup");
  if (o.process.terminal) {
    auto pty = TRY(open_pty(o.process.console_size));
    TRY(sync.send_with_fd("pty", pty.master.get()));
    TRY(become_terminal_session(pty.slave.get()));
  }
  const oci::Seccomp* seccomp = spec.linux && spec.linux->seccomp ? &*spec.linux->seccomp : nullptr;
  bool can_setgroups = setgroups_allowed();
  close_fds_for_exec(o.preserve_fds, {sync.fd(), log::output_fd()});
  ProcessSetup process{o.process, seccomp, can_setgroups, &sync};
  log::debug("apply process limits, user and capabilities");
  TRY(apply_process_setup(process));
  auto path = TRY(find_executable(o.process));
  TRY(load_late_seccomp(process));
  return path;
}

[[noreturn]] void child_main(const ExecOptions& o, const oci::Spec& spec, int pidfd, int ns_flags,
                             const SyncChannel& sync, int log_fd, bool fork_for_pid) {
  log_to_parent(log_fd);
  log::debug("child process in init()");
  auto path = child_setup(o, spec, pidfd, ns_flags, sync, fork_for_pid);
  if (path) {
    // The log pipe is CLOEXEC: execve closes it, the parent reads EOF.
    log::debug("setns_init: about to exec", {{"path", *path}});
    auto r = exec_process({o.process}, *path);
    path = tl::unexpected(std::move(r).error());
  }
  (void)sync.send("error:" + path.error().to_string());
  ::_exit(255);
}

Result<sys::CloneResult> clone_into(int pidfd, bool join_pid, int cgroup_fd, bool* into_cgroup) {
  UniqueFd own;
  if (join_pid) {
    own = TRY(open_file("/proc/self/ns/pid", O_RDONLY));
    TRY(sys::setns(pidfd, CLONE_NEWPID, "container pid namespace"));
  }
  auto child = sys::clone3({0, SIGCHLD, cgroup_fd}, into_cgroup);
  if (child && child->pid == 0) return child;
  if (own) (void)sys::setns(own.get(), CLONE_NEWPID, "own pid namespace");
  return child;
}

// Parent side of fork_into_pid_namespace: reap the first child, own the
// second (reparented to us, the subreaper), release it with "go".
Result<OwnedPid> adopt_forked(const SyncChannel& sync, LogForwarder& log, OwnedPid first) {
  auto msg = TRY(recv_forwarding(sync, log));
  if (msg.starts_with("error:")) return make_error(ErrorCategory::Internal, msg.substr(6));
  if (!msg.starts_with("pid:")) return make_error(ErrorCategory::Internal, "exec child exited during setup");
  pid_t pid = TRY(parse_int<pid_t>(msg.substr(4)));
  TRY(first.wait());
  auto pidfd = TRY(pidfd_open(pid));
  OwnedPid adopted(pid, std::move(pidfd));
  TRY(sync.send("go"));
  return adopted;
}

// Parent side: the child's exec closes its CLOEXEC end, which reads as "".
Result<UniqueFd> await_exec(const SyncChannel& sync, LogForwarder& log, const ExecOptions& o, const Record& record,
                            pid_t pid) {
  UniqueFd pty;
  for (;;) {
    UniqueFd fd;
    auto msg = TRY(recv_forwarding(sync, log, &fd));
    if (msg.empty()) return pty;
    if (msg.starts_with("error:")) return make_error(ErrorCategory::Internal, msg.substr(6));
    if (msg == "seccomp") {
      oci::State st{record.config.oci_version, record.id, oci::Status::Running, record.init_pid, record.bundle,
                    record.config.annotations, record.rootfs, record.created, record.owner};
      TRY(forward_seccomp_listener(*record.config.linux->seccomp, st, pid, fd.get(), sync));
    } else if (msg == "pty") {
      if (!o.console_socket.empty()) TRY(send_console(o.console_socket, fd.get()));
      else pty = std::move(fd);
    }
  }
}

}  // namespace

Result<int> exec(const Context& ctx, const ExecOptions& o) {
  auto record = TRY(load_record(ctx, o.id));
  auto st = status(ctx, record);
  if (st == oci::Status::Stopped) return make_error(ErrorCategory::Conflict, "cannot exec in a stopped container");
  if (st == oci::Status::Paused && !o.ignore_paused) return make_error(ErrorCategory::Conflict, "cannot exec in a paused container");
  TRY(oci::validate_process(o.process));
  auto pidfd = TRY(init_pidfd(record));
  auto manager = TRY(record_manager(record));
  std::optional<UniqueFd> cgroup_fd;
  std::optional<std::map<std::string, std::string>> sub_paths;  // exec --cgroup
  if (!o.sub_cgroups.empty()) {
    if (!manager) return make_error(ErrorCategory::InvalidArgument, "exec --cgroup: the container has no cgroup");
    sub_paths = TRY_CTX(sub_cgroup_paths(manager->paths(), o.sub_cgroups), "exec failed");
  } else if (manager) {
    cgroup_fd = TRY(manager->open_for_clone());
  }
  int ns_flags = namespace_flags(record.config);
  auto [parent_end, child_end] = TRY(SyncChannel::make_pair());
  auto log_pipe = TRY(make_pipe());
  LogForwarder child_log(std::move(log_pipe.read));
  if (!o.detach) TRY(block_forwarded_signals());
  const bool fork_for_pid = (ns_flags & CLONE_NEWUSER) && (ns_flags & CLONE_NEWPID) && ::geteuid() != 0;
  if (fork_for_pid && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return sys_error("become subreaper");
  bool into_cgroup = false;
  auto child = TRY(clone_into(pidfd.get(), (ns_flags & CLONE_NEWPID) && !fork_for_pid,
                              cgroup_fd ? cgroup_fd->get() : -1, &into_cgroup));
  if (child.pid == 0)
    child_main(o, record.config, pidfd.get(), ns_flags, child_end, log_pipe.write.get(), fork_for_pid);
  OwnedPid proc(child.pid, std::move(child.pidfd));
  child_end.close();
  log_pipe.write.reset();
  if (sub_paths) TRY_CTX(join_cgroup_paths(*sub_paths, proc.pid()), "exec failed");
  else if (manager && !into_cgroup) TRY_CTX(manager->add_process(proc.pid()), "join container cgroup");
  TRY(parent_end.send("go"));
  if (fork_for_pid) {
    auto adopted = adopt_forked(parent_end, child_log, std::move(proc));
    if (!adopted) child_log.pump();
    proc = TRY_CTX(std::move(adopted), "exec failed: unable to start container process");
  }
  auto awaited = await_exec(parent_end, child_log, o, record, proc.pid());
  // execve closed the child's end (EOF); after a failure take what is there.
  if (awaited) child_log.drain();
  else child_log.pump();
  auto pty = TRY_CTX(std::move(awaited), "exec failed: unable to start container process");
  if (!o.pid_file.empty()) TRY_CTX(write_volatile_file(o.pid_file, std::to_string(proc.pid())), "pid file");
  if (o.detach) {
    (void)proc.release();
    return 0;
  }
  auto exited = TRY(relay_until_exit(proc, pty ? pty.get() : -1));
  return exited.shell_code();
}

Result<oci::Process> exec_process_from_flags(const Context& ctx, const std::string& id, const ExecFlags& f) {
  auto record = TRY(load_record(ctx, id));
  oci::Process p = record.config.process.value_or(oci::Process{});
  p.args = f.args;
  p.terminal = f.tty;
  for (const auto& e : f.env) {
    auto key = e.substr(0, e.find('='));
    std::erase_if(p.env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    p.env.push_back(e);
  }
  if (!f.cwd.empty()) p.cwd = f.cwd;
  if (!f.user.empty()) {
    auto [u, g, has_gid] = split_once(f.user, ':');
    p.user.uid = TRY(parse_int<uint32_t>(u));
    p.user.gid = has_gid ? TRY(parse_int<uint32_t>(g)) : 0;
  }
  if (!f.additional_gids.empty()) p.user.additional_gids = f.additional_gids;
  if (!f.caps.empty()) {
    if (!p.capabilities) p.capabilities = oci::Capabilities{};
    auto& c = *p.capabilities;
    // Never inheritable (CVE-2022-29162), and so never ambient either:
    // the kernel raises an ambient cap only if it is inheritable.
    for (const auto& cap : f.caps)
      for (auto* set : {&c.bounding, &c.effective, &c.permitted})
        if (std::find(set->begin(), set->end(), cap) == set->end()) set->push_back(cap);
  }
  if (f.no_new_privs) p.no_new_privileges = true;
  p.console_size.reset();
  return p;
}

}  // namespace berth::runtime
