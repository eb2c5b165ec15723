#include "runtime/seccomp_notify.hpp"

#include "oci/json.hpp"
#include "sys/process.hpp"

namespace berth::runtime {

Result<> forward_seccomp_listener(const oci::Seccomp& seccomp, const oci::State& state, pid_t pid,
                                  int listener, const SyncChannel& sync) {
  if (listener < 0) return make_error(ErrorCategory::Internal, "seccomp notify: no listener fd from the container");
  if (seccomp.listener_path.empty())
    return make_error(ErrorCategory::InvalidArgument, "seccomp notify: linux.seccomp.listenerPath is empty");
  oci::json::object message;
  message["ociVersion"] = state.oci_version;
  message["fds"] = oci::json::array{"seccompFd"};
  message["pid"] = pid;
  message["metadata"] = seccomp.listener_metadata;
  message["state"] = oci::state_to_hook_json(state);
  auto sock = TRY_CTX(sys::connect_unix(seccomp.listener_path),
                      "failed to connect with seccomp agent specified in the seccomp profile");
  TRY_CTX(sys::send_fd(sock.get(), listener, oci::to_json(message)), "seccomp listener " + seccomp.listener_path);
  return sync.send("seccomp-done");
}

}  // namespace berth::runtime
