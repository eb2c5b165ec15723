// Docker credential helpers: `docker-credential-<name> get` reads the
// server address on stdin and prints {"ServerURL","Username","Secret"}.
// A Username of "<token>" means Secret is an identity (refresh) token.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file.hpp"
#include "base/owned_pid.hpp"
#include "base/strings.hpp"
#include "oci/image_json_util.hpp"
#include "oci/json.hpp"
#include "registry/auth.hpp"

extern char** environ;

namespace berth::registry {

namespace {

// PATH lookup in the parent: the child may only exec after fork.
Result<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return make_error(ErrorCategory::NotFound, name + " not found in PATH");
}

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return sys_error("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

Result<std::optional<Credentials>> helper_credentials(const std::string& helper, std::string_view domain) {
  std::string program = TRY(find_program("docker-credential-" + helper));
  std::string server = config_key(domain);
  auto in = TRY(make_pipe());
  auto out = TRY(make_pipe());
  std::string arg0 = "docker-credential-" + helper, arg1 = "get";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork " + program);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    if (::dup2(in.read.get(), 0) < 0 || ::dup2(out.write.get(), 1) < 0) ::_exit(127);
    ::execve(program.c_str(), argv, environ);
    ::_exit(127);
  }
  auto child = TRY(OwnedPid::adopt(pid));
  out.write.reset();
  // in.read stays open until the write is done: a helper that exits
  // without reading cannot turn our write into SIGPIPE.
  TRY(write_all(in.write.get(), server + "\n"));
  in.write.reset();
  in.read.reset();
  auto output = TRY(read_fd(out.read.get(), 1u << 20));
  auto status = TRY(child.wait());
  if (!status.exited_ok()) {
    if (output.find("credentials not found") != std::string::npos) return std::nullopt;
    return make_error(ErrorCategory::Unavailable,
                      program + " get exited with " + std::to_string(status.shell_code()) + ": " +
                          std::string(trim(output)));
  }
  auto doc = TRY_CTX(oci::parse_json(output), program + " output");
  const auto* o = TRY(oci::detail::as_object(doc, program + " output"));
  Credentials c;
  c.username = TRY(oci::detail::get_string(*o, "Username"));
  auto secret = TRY(oci::detail::get_string(*o, "Secret"));
  if (c.username == "<token>") {
    c.username.clear();
    c.identity_token = secret;
  } else {
    c.password = secret;
  }
  if (c.empty()) return std::nullopt;
  return c;
}

}  // namespace berth::registry
