// SCMP_ACT_NOTIFY: the container's process loads the filter and passes the
// listener fd up the sync channel; the runtime (outside the container's
// mount namespace, where linux.seccomp.listenerPath is reachable) sends it
// to the agent with the container's state, as the runtime-spec describes.
#pragma once

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"
#include "oci/runtime_state.hpp"
#include "runtime/sync.hpp"

namespace berth::runtime {

// Sends `listener` to the agent at seccomp.listenerPath: one message with
// the ContainerProcessState JSON ({"ociVersion","fds":["seccompFd"],"pid",
// "metadata","state"}) and the fd, then answers "seccomp-done" on `sync`.
// `pid` is the process that loaded the filter.
Result<> forward_seccomp_listener(const oci::Seccomp& seccomp, const oci::State& state, pid_t pid,
                                  int listener, const SyncChannel& sync);

}  // namespace berth::runtime
