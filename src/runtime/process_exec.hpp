// The last steps before a container process runs, shared by the init and
// by exec: limits, privileges (in runc's order: seccomp early only when
// no_new_privs is off, then bounding set, user switch, capabilities,
// no_new_privs), umask, cwd, environment, and the execve itself.
#pragma once

#include <string>

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::runtime {

struct ProcessSetup {
  const oci::Process& process;
  const oci::Seccomp* seccomp = nullptr;
  bool can_setgroups = true;
};

// PATH lookup inside the container, with runc's error wording.
Result<std::string> find_executable(const oci::Process& process);
// Everything up to (not including) the late seccomp load and execve.
Result<> apply_process_setup(const ProcessSetup& setup);
// Late seccomp (when no_new_privs is set) and execve; returns only on error.
Result<> exec_process(const ProcessSetup& setup, const std::string& path);

}  // namespace berth::runtime
