#include "runtime/process_exec.hpp"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/security.hpp"

namespace berth::runtime {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  return {};
}

bool executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// $HOME from the container's /etc/passwd when the config leaves it out.
std::string home_for(uint32_t uid) {
  auto passwd = read_file("/etc/passwd", 1 << 20);
  if (passwd)
    for (const auto& line : split(*passwd, '\n')) {
      auto f = split(line, ':');
      if (f.size() >= 6 && f[2] == std::to_string(uid)) return f[5];
    }
  return "/";
}

std::vector<char*> c_strings(std::vector<std::string>& list) {
  std::vector<char*> out;
  for (auto& s : list) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<std::string> find_executable(const oci::Process& process) {
  if (process.args.empty()) return make_error(ErrorCategory::InvalidArgument, "args must not be empty");
  const std::string& name = process.args[0];
  if (name.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(name.c_str(), &st) != 0) return sys_error("exec: \"" + name + "\": stat " + name);
    return name;
  }
  std::string path = env_value(process.env, "PATH");
  for (const auto& dir : split(path.empty() ? kDefaultPath : path, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable_file(candidate)) return candidate;
  }
  return make_error(ErrorCategory::NotFound, "exec: \"" + name + "\": executable file not found in $PATH");
}

Result<> apply_process_setup(const ProcessSetup& s) {
  const oci::Process& p = s.process;
  TRY(apply_rlimits(p.rlimits));
  TRY(apply_oom_score_adj(p.oom_score_adj));
  if (s.seccomp && !p.no_new_privileges) TRY(load_seccomp(*s.seccomp));
  if (p.capabilities) TRY(drop_bounding(*p.capabilities));
  // The cwd may be reachable only with our privileges (root-only dirs) or
  // only as the user (a home that root cannot search over NFS or in a user
  // namespace): try before the switch, and again after if that failed.
  bool in_cwd = p.cwd.empty() || ::chdir(p.cwd.c_str()) == 0;
  TRY(switch_user(p.user, s.can_setgroups));
  TRY(apply_capabilities(p.capabilities.value_or(oci::Capabilities{})));
  if (p.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return sys_error("no_new_privs");
  ::umask(p.user.umask.value_or(022));
  if (!in_cwd && ::chdir(p.cwd.c_str()) != 0) return sys_error("chdir to cwd (\"" + p.cwd + "\") set in config.json");
  return ok();
}

Result<> exec_process(const ProcessSetup& s, const std::string& path) {
  const oci::Process& p = s.process;
  if (s.seccomp && p.no_new_privileges) TRY(load_seccomp(*s.seccomp));
  std::vector<std::string> args = p.args;
  std::vector<std::string> env = p.env;
  if (env_value(env, "HOME").empty()) env.push_back("HOME=" + home_for(p.user.uid));
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  ::execve(path.c_str(), argv.data(), envp.data());
  return sys_error("exec " + p.args[0]);
}

}  // namespace berth::runtime
