// The last steps before a container process runs, shared by the init and
// by exec: limits, privileges (in runc's order: seccomp early only when
// no_new_privs is off, then bounding set, user switch, capabilities,
// no_new_privs), umask, cwd, environment, and the execve itself.
#pragma once

#include <initializer_list>

#include <string>

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"
#include "runtime/sync.hpp"

namespace berth::runtime {

struct ProcessSetup {
  const oci::Process& process;
  const oci::Seccomp* seccomp = nullptr;
  bool can_setgroups = true;
  // Where a seccomp notify listener fd goes ("seccomp" + fd; the parent
  // hands it to the agent and answers "seccomp-done").
  const SyncChannel* sync = nullptr;
};

// PATH lookup inside the container, with runc's error wording.
Result<std::string> find_executable(const oci::Process& process);
// Everything up to (not including) the late seccomp load and execve.
Result<> apply_process_setup(const ProcessSetup& setup);
// False in a user namespace whose setgroups is "deny" (rootless: the id
// maps of an unprivileged parent need it); then groups stay as they are.
bool setgroups_allowed();
// Closes every fd from 3 + preserve_fds up, except `keep` (the sync
// socket, the exec fifo, the log file: none of them a directory), and
// clears CLOEXEC on the preserved ones. Closed, not just CLOEXEC: a host directory fd must not be reachable through
// /proc/self/fd while the executable is resolved (CVE-2024-21626 class).
void close_fds_for_exec(int preserve_fds, std::initializer_list<int> keep);
// The process cwd must be inside the container's root: a cwd reached
// through a leaked fd reads as unreachable and fails here.
Result<> verify_cwd_inside_root();
// The seccomp load runc does as late as it can: with no_new_privs set,
// after everything but the exec fifo, startContainer hooks and execve.
Result<> load_late_seccomp(const ProcessSetup& setup);
// execve; returns only on error.
Result<> exec_process(const ProcessSetup& setup, const std::string& path);

}  // namespace berth::runtime
