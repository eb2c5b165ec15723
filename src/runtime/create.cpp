// create: validate the bundle, make the state directory, the exec fifo
// and the cgroup, clone the init straight into its namespaces (and, on
// cgroup v2, its cgroup), write its id maps, drive the handshake in
// sync.hpp, then record the container. Any failure undoes all of it.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "oci/runtime_codec.hpp"
#include "oci/runtime_validate.hpp"
#include "runtime/console.hpp"
#include "runtime/hooks.hpp"
#include "runtime/init.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/log_forward.hpp"
#include "runtime/record.hpp"
#include "runtime/resources.hpp"
#include "runtime/rootfs.hpp"
#include "runtime/seccomp_notify.hpp"
#include "sys/clone3.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

Result<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return sys_error("resolve " + path);
  return std::string(buf);
}

Result<oci::Spec> load_bundle(const std::string& bundle) {
  auto text = TRY_CTX(read_file(bundle + "/config.json"), "load config.json of bundle " + bundle);
  auto spec = TRY(oci::parse_spec(text));
  TRY(oci::validate(spec));
  if (!spec.process) return make_error(ErrorCategory::InvalidArgument, "config.json: process is required");
  return spec;
}

uid_t host_id_of_root(const std::vector<oci::IdMapping>& maps) {
  for (const auto& m : maps)
    if (m.container_id == 0) return m.host_id;
  return 0;
}
uid_t container_root_uid(const oci::Spec& s) { return s.linux ? host_id_of_root(s.linux->uid_mappings) : 0; }
gid_t container_root_gid(const oci::Spec& s) { return s.linux ? host_id_of_root(s.linux->gid_mappings) : 0; }

struct NamespacePlan {
  uint64_t clone_flags = 0;
  int late_unshare = 0;
  std::vector<NamespaceJoin> joins;  // user first
  UniqueFd pid_join;                 // entered by the parent around clone
  bool new_userns = false;
};

Result<NamespacePlan> plan_namespaces(const oci::Spec& spec) {
  NamespacePlan plan;
  if (!spec.linux) return plan;
  bool joins_user = false;
  for (const auto& ns : spec.linux->namespaces) {
    int flag = sys::namespace_flag(ns.type);
    if (!ns.path.empty()) {
      auto fd = TRY_CTX(open_file(ns.path, O_RDONLY), "namespace " + ns.type);
      if (flag == CLONE_NEWPID) {
        plan.pid_join = std::move(fd);
        continue;
      }
      NamespaceJoin join{flag, std::move(fd), ns.path};
      if (flag == CLONE_NEWUSER) {
        joins_user = true;
        plan.joins.insert(plan.joins.begin(), std::move(join));
      } else {
        plan.joins.push_back(std::move(join));
      }
      continue;
    }
    // A cgroup namespace is made after the init joined its cgroup, a time
    // namespace once its offsets can be written; the rest at clone.
    if (flag == CLONE_NEWCGROUP || flag == CLONE_NEWTIME)
      plan.late_unshare |= flag;
    else
      plan.clone_flags |= static_cast<uint64_t>(flag);
    if (flag == CLONE_NEWUSER) plan.new_userns = true;
  }
  if (joins_user) {
    // Namespaces made at clone would belong to the host's user namespace;
    // make them after joining the user namespace instead.
    plan.late_unshare |= static_cast<int>(plan.clone_flags & ~static_cast<uint64_t>(CLONE_NEWPID));
    plan.clone_flags &= CLONE_NEWPID;
  }
  return plan;
}

std::string id_map(const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

Result<> write_id_maps(pid_t pid, const oci::Linux& linux) {
  std::string proc = "/proc/" + std::to_string(pid);
  if (::geteuid() != 0) TRY_CTX(write_knob(proc + "/setgroups", "deny"), "setgroups");
  TRY_CTX(write_knob(proc + "/uid_map", id_map(linux.uid_mappings)), "write uid_map");
  TRY_CTX(write_knob(proc + "/gid_map", id_map(linux.gid_mappings)), "write gid_map");
  return ok();
}

struct Cgroup {
  std::unique_ptr<cgroups::Manager> manager;
  std::optional<UniqueFd> clone_fd;
};

Result<Cgroup> make_cgroup(const Context& ctx, const oci::Spec& spec, const std::string& id) {
  auto manager = new_manager(ctx, spec, id);
  if (!manager) {
    if (!manager.error().is(ErrorCategory::Unavailable) || ctx.systemd_cgroup)
      return tl::unexpected(std::move(manager).error());
    log::warn("cgroups unavailable, container runs without limits", {{"error", manager.error()}});
    return Cgroup{};
  }
  Cgroup cg{std::move(*manager), std::nullopt};
  if (auto made = cg.manager->create(); !made) {
    // Rootless, as runc has it: a caller without the right to make groups
    // may still run a container that asks for no limits, in its own group.
    int err = made.error().sys_errno();
    bool denied = err == EACCES || err == EPERM || err == EROFS;
    if (::geteuid() == 0 || !denied || (spec.linux && spec.linux->resources))
      return tl::unexpected(std::move(made).error().wrap("create cgroup"));
    (void)cg.manager->destroy();
    log::warn("rootless: no cgroup for the container (no permission), it runs without limits",
              {{"error", made.error()}});
    return Cgroup{};
  }
  // A frozen group would freeze the init the moment it joins, and create
  // would wait for it forever.
  if (auto fs = cg.manager->freezer_state(); fs && *fs != cgroups::FreezerState::Thawed)
    return make_error(ErrorCategory::Conflict, "container's cgroup unexpectedly frozen");
  // Sharing a group with other processes is allowed but rarely intended.
  if (auto pids = cg.manager->pids(); pids && !pids->empty())
    log::warn("container's cgroup is not empty: " + std::to_string(pids->size()) + " process(es) found");
  return cg;
}

// After make_cgroup, with the group owned by create's rollback.
Result<> configure_cgroup(Cgroup& cg, const oci::Spec& spec) {
  if (!cg.manager) return ok();
  auto applied = cg.manager->apply(container_cgroup_resources(spec));
  if (!applied) {
    // A config the host cannot honour (unified keys on v1, ...) is the
    // caller's mistake; runc words it the same way.
    auto& e = applied.error();
    if (e.is(ErrorCategory::InvalidArgument)) return tl::unexpected(std::move(e).wrap("invalid configuration"));
    return tl::unexpected(std::move(e).wrap("apply cgroup resources"));
  }
  cg.clone_fd = TRY(cg.manager->open_for_clone());
  return ok();
}

Result<sys::CloneResult> clone_init(NamespacePlan& plan, int cgroup_fd, bool* into_cgroup) {
  UniqueFd own_pid_ns;
  if (plan.pid_join) {
    // setns(CLONE_NEWPID) only moves our future children; move back after.
    own_pid_ns = TRY(open_file("/proc/self/ns/pid", O_RDONLY));
    TRY(sys::setns(plan.pid_join.get(), CLONE_NEWPID, "pid"));
  }
  auto child = sys::clone3({plan.clone_flags, SIGCHLD, cgroup_fd}, into_cgroup);
  if (child && child->pid == 0) return child;
  if (own_pid_ns) (void)sys::setns(own_pid_ns.get(), CLONE_NEWPID, "own pid");
  return child;
}

oci::State hook_state(const Record& r, oci::Status status) {
  return {r.config.oci_version, r.id, status, r.init_pid, r.bundle, r.config.annotations, r.rootfs, r.created, r.owner};
}

// The parent's half of the handshake (see sync.hpp).
Result<UniqueFd> drive_init(const SyncChannel& sync, LogForwarder& log, const Record& record,
                            const CreateOptions& opts) {
  UniqueFd pty;
  for (;;) {
    UniqueFd fd;
    auto msg = TRY(recv_forwarding(sync, log, &fd));
    if (msg == "ready") return pty;
    if (msg == "hooks") {
      const auto& h = *record.config.hooks;
      auto st = hook_state(record, oci::Status::Creating);
      TRY(run_hooks(h.prestart, st, "prestart"));
      TRY(run_hooks(h.create_runtime, st, "createRuntime"));
      TRY(sync.send("go"));
    } else if (msg == "seccomp") {
      TRY(forward_seccomp_listener(*record.config.linux->seccomp, hook_state(record, oci::Status::Creating),
                                   record.init_pid, fd.get(), sync));
    } else if (msg == "pty") {
      if (!opts.console_socket.empty())
        TRY(send_console(opts.console_socket, fd.get()));
      else
        pty = std::move(fd);
    } else if (msg.starts_with("error:")) {
      return make_error(ErrorCategory::Internal, "unable to start container process: " + msg.substr(6));
    } else {
      return make_error(ErrorCategory::Internal, msg.empty() ? "container init exited during setup"
                                                             : "unexpected message from init: " + msg);
    }
  }
}

bool has_parent_hooks(const oci::Spec& spec) {
  return spec.hooks && (!spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty());
}

}  // namespace

Result<Created> create(const Context& ctx, const CreateOptions& opts) {
  Record record;
  return create_container(ctx, opts, record);
}

Result<Created> create_container(const Context& ctx, const CreateOptions& opts, Record& record,
                                 SyncChannel* channel) {
  TRY(validate_id(opts.id));
  record.id = opts.id;
  record.bundle = TRY(real_path(opts.bundle));
  record.config = TRY(load_bundle(record.bundle));
  const oci::Spec& spec = record.config;
  if (spec.process->terminal && opts.detached && opts.console_socket.empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "cannot allocate tty if runc will detach without setting console socket");
  if (!spec.process->terminal && !opts.console_socket.empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "cannot use console socket if runc will not detach or allocate tty");
  std::string root_path = spec.root->path[0] == '/' ? spec.root->path : record.bundle + "/" + spec.root->path;
  record.rootfs = TRY_CTX(real_path(root_path), "rootfs");
  record.created = now_rfc3339();

  TRY(make_dirs(ctx.root, 0700));
  std::string dir = container_dir(ctx, opts.id);
  if (::mkdir(dir.c_str(), 0711) != 0) {
    if (errno == EEXIST) return make_error(ErrorCategory::Conflict, "container with id exists: " + opts.id);
    return sys_error("create state directory " + dir);
  }
  std::optional<Cgroup> cgroup;
  auto undo = ScopeGuard([&] {
    if (cgroup && cgroup->manager) {
      (void)cgroup->manager->signal_all(SIGKILL);
      (void)cgroup->manager->destroy();
    }
    ::unlink((dir + "/" + kExecFifo).c_str());
    ::unlink((dir + "/" + kStateFile).c_str());
    ::rmdir(dir.c_str());
  });
  std::string fifo = dir + "/" + kExecFifo;
  if (::mkfifo(fifo.c_str(), 0622) != 0) return sys_error("mkfifo " + fifo);
  // The init opens it after switching to the container's user: writable
  // by anyone (the umask would have taken that away), owned by the
  // container's root.
  if (::chmod(fifo.c_str(), 0622) != 0) return sys_error("chmod " + fifo);
  if (::chown(fifo.c_str(), container_root_uid(spec), container_root_gid(spec)) != 0) return sys_error("chown " + fifo);
  auto fifo_fd = TRY(open_file(fifo, O_PATH));

  cgroup = TRY(make_cgroup(ctx, spec, opts.id));
  TRY(configure_cgroup(*cgroup, spec));
  if (cgroup->manager) record.cgroup_paths = cgroup->manager->paths();
  auto plan = TRY(plan_namespaces(spec));
  auto [parent_end, child_end] = TRY(SyncChannel::make_pair());
  auto log_pipe = TRY(make_pipe());
  LogForwarder child_log(std::move(log_pipe.read));
  // In a user namespace the init may no longer reach some bind sources.
  std::vector<UniqueFd> bind_trees;
  std::vector<int> bind_fds;
  if (spec.linux && spec.linux->find_namespace("user")) bind_trees = open_bind_sources(spec, record.bundle);
  for (const auto& t : bind_trees) bind_fds.push_back(t ? t.get() : -1);
  InitConfig init{&spec,         opts.id,          record.bundle,    record.rootfs,
                  &child_end,    fifo_fd.get(),    &plan.joins,      plan.late_unshare,
                  plan.new_userns, has_parent_hooks(spec), opts.no_pivot, opts.no_new_keyring,
                  opts.preserve_fds, &bind_fds,     log_pipe.write.get(), &record.cgroup_paths};
  bool into_cgroup = false;
  int cgroup_fd = cgroup->clone_fd ? cgroup->clone_fd->get() : -1;
  auto child = TRY_CTX(clone_init(plan, cgroup_fd, &into_cgroup), "start container init");
  if (child.pid == 0) init_main(init);

  OwnedPid owned(child.pid, std::move(child.pidfd));
  child_end.close();
  log_pipe.write.reset();
  record.init_pid = owned.pid();
  record.init_start = TRY(sys::process_start_time(owned.pid()));
  if (plan.new_userns) {
    log::debug("write uid/gid maps of the container's init", {{"pid", owned.pid()}});
    TRY(write_id_maps(owned.pid(), *spec.linux));
  }
  // On v1 the init builds its rootfs meanwhile and joins at "go" (init.cpp).
  if (cgroup->manager && !into_cgroup) TRY_CTX(cgroup->manager->add_process(owned.pid()), "join cgroup");
  // The init may have failed before reading "go": then its error message
  // is what to report.
  auto sent = parent_end.send("go:" + std::to_string(owned.pid()));
  auto driven = drive_init(parent_end, child_log, record, opts);
  if (!sent && driven) return tl::unexpected(std::move(sent).error());
  // After "ready" the child has closed its end: forward up to EOF. After a
  // failure it may still be alive (waiting for "go"); take what is there.
  if (driven) child_log.drain();
  else child_log.pump();
  auto pty = TRY(std::move(driven));
  TRY(save_record(ctx, record));
  if (!opts.pid_file.empty()) TRY_CTX(write_volatile_file(opts.pid_file, std::to_string(owned.pid())), "pid file");
  undo.dismiss();
  if (channel) *channel = std::move(parent_end);
  Created created;
  created.pid = owned.pid();
  created.init = std::move(owned);
  created.pty_master = std::move(pty);
  return created;
}

}  // namespace berth::runtime
