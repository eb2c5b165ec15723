#include "runtime/hooks.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "base/file.hpp"
#include "base/owned_pid.hpp"
#include "oci/json.hpp"
#include "runtime/console.hpp"
#include "sys/clone3.hpp"
#include "sys/process.hpp"

namespace berth::runtime {
namespace {

// "bad system call", as Go spells signals (what runc's messages show).
std::string lowercase(const char* text) {
  std::string out = text ? text : "unknown signal";
  for (auto& c : out) c = static_cast<char>(::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<char*> c_strings(const std::vector<std::string>& list) {
  std::vector<char*> out;
  for (const auto& s : list) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

Result<> run_one(const oci::Hook& hook, const std::string& state_json) {
  // A socket rather than a pipe: send(MSG_NOSIGNAL) survives a hook that
  // never reads its stdin without touching the process's SIGPIPE handling.
  auto [ours, theirs] = TRY(make_socketpair());
  std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  auto argv = c_strings(args);
  auto envp = c_strings(hook.env);
  auto child = TRY(sys::clone3({}));
  if (child.pid == 0) {
    // The hook reads the state from stdin; everything else it inherits.
    reset_signals();  // a foreground run blocks some for its signalfd
    if (::dup2(theirs.get(), 0) < 0) ::_exit(127);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  OwnedPid proc(child.pid, std::move(child.pidfd));
  theirs.reset();
  for (size_t off = 0; off < state_json.size();) {
    ssize_t n = ::send(ours.get(), state_json.data() + off, state_json.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the hook closed its stdin: fine
    off += static_cast<size_t>(n);
  }
  ::shutdown(ours.get(), SHUT_WR);
  if (hook.timeout) {
    bool exited = TRY(sys::pidfd_wait_exit(proc.pidfd(), *hook.timeout * 1000));
    if (!exited) {
      (void)proc.signal(SIGKILL);
      (void)proc.wait();
      return make_error(ErrorCategory::Unavailable,
                        "timeout after " + std::to_string(*hook.timeout) + "s");
    }
  }
  auto status = TRY(proc.wait());
  if (status.signal != 0)
    return make_error(ErrorCategory::Internal, "killed by signal " + std::to_string(status.signal) + " (" +
                                                   lowercase(::strsignal(status.signal)) + ")");
  if (status.code == 127)
    return make_error(ErrorCategory::NotFound, "cannot execute " + hook.path);
  if (status.code != 0)
    return make_error(ErrorCategory::Internal, "exit status " + std::to_string(status.code));
  return ok();
}

}  // namespace

Result<> run_hooks(const std::vector<oci::Hook>& hooks, const oci::State& state, const char* kind) {
  if (hooks.empty()) return ok();
  std::string json = oci::to_json(oci::state_to_hook_json(state));
  for (size_t i = 0; i < hooks.size(); ++i)
    TRY_CTX(run_one(hooks[i], json), "error running hook #" + std::to_string(i) + " (" + kind + ")");
  return ok();
}

}  // namespace berth::runtime
