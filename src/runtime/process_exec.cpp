#include "runtime/process_exec.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

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

// The process must own its stdio (a PTY slave above all: `tty` and
// terminal programs chmod it), as runc does; the group stays (tty's gid=5
// from the devpts mount). /dev/null stays root's. An owner or uid that a
// user namespace does not map leaves the fd alone (EINVAL/EPERM).
void give_stdio_to(uint32_t uid) {
  struct stat null_st {};
  bool have_null = ::stat("/dev/null", &null_st) == 0;
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_uid == uid) continue;
    if (have_null && S_ISCHR(st.st_mode) && st.st_rdev == null_st.st_rdev) continue;
    (void)::fchown(fd, uid, static_cast<gid_t>(-1));
  }
}

Result<> load_and_hand_over(const ProcessSetup& s) {
  auto listener = TRY(load_seccomp(*s.seccomp));
  if (!listener) return ok();
  if (!s.sync) return make_error(ErrorCategory::Internal, "seccomp notify: no parent to hand the listener to");
  TRY(s.sync->send_with_fd("seccomp", listener.get()));
  return s.sync->expect("seccomp-done");
}

}  // namespace

Result<> load_late_seccomp(const ProcessSetup& s) {
  if (s.seccomp && s.process.no_new_privileges) TRY(load_and_hand_over(s));
  return ok();
}

Result<std::string> find_executable(const oci::Process& process) {
  if (process.args.empty()) return make_error(ErrorCategory::InvalidArgument, "args must not be empty");
  const std::string& name = process.args[0];
  if (name.find('/') != std::string::npos) {
    // runc's LookPath (Go's): a directory or a file without an exec bit
    // is "permission denied" before start, in Go's lower-case wording.
    struct stat st;
    if (::stat(name.c_str(), &st) != 0) {
      std::string reason = ::strerror(errno);
      if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
      return make_error(ErrorCategory::NotFound, "exec: \"" + name + "\": stat " + name + ": " + reason);
    }
    if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0)
      return make_error(ErrorCategory::PermissionDenied, "exec: \"" + name + "\": permission denied");
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
  if (s.seccomp && !p.no_new_privileges) TRY(load_and_hand_over(s));
  if (p.capabilities) TRY(drop_bounding(*p.capabilities));
  // The cwd may be reachable only with our privileges (root-only dirs) or
  // only as the user (a home that root cannot search over NFS or in a user
  // namespace): try before the switch, and again after if that failed.
  bool in_cwd = p.cwd.empty() || ::chdir(p.cwd.c_str()) == 0;
  give_stdio_to(p.user.uid);
  TRY(switch_user(p.user, s.can_setgroups));
  static const oci::Capabilities kNone;
  TRY(apply_capabilities(p.capabilities ? *p.capabilities : kNone));
  if (p.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return sys_error("no_new_privs");
  ::umask(p.user.umask.value_or(022));
  if (!in_cwd && ::chdir(p.cwd.c_str()) != 0) return sys_error("chdir to cwd (\"" + p.cwd + "\") set in config.json");
  return verify_cwd_inside_root();
}

bool setgroups_allowed() {
  auto text = read_file("/proc/self/setgroups");
  return !text || trim(*text) != "deny";
}

Result<> verify_cwd_inside_root() {
  // getcwd fails with ENOENT when the kernel reports "(unreachable)",
  // i.e. the directory is not below our root.
  std::string buf(PATH_MAX, '\0');
  if (::getcwd(buf.data(), buf.size()) == nullptr || buf[0] != '/')
    return make_error(ErrorCategory::InvalidArgument, "process cwd is outside the container root");
  return ok();
}

void close_fds_for_exec(int preserve_fds, std::initializer_list<int> keep) {
  unsigned first = 3U + static_cast<unsigned>(preserve_fds);
  std::vector<unsigned> kept;
  for (int fd : keep)
    if (fd >= 0 && static_cast<unsigned>(fd) >= first) kept.push_back(static_cast<unsigned>(fd));
  std::sort(kept.begin(), kept.end());
  for (unsigned fd : kept) {
    if (fd > first) ::syscall(SYS_close_range, first, fd - 1, 0U);
    first = fd + 1;
  }
  ::syscall(SYS_close_range, first, ~0U, 0U);
  for (int fd = 3; fd < 3 + preserve_fds; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
}

Result<> exec_process(const ProcessSetup& s, const std::string& path) {
  const oci::Process& p = s.process;
  std::vector<std::string> args = p.args;
  std::vector<std::string> env = p.env;
  if (env_value(env, "HOME").empty()) env.push_back("HOME=" + home_for(p.user.uid));
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  ::execve(path.c_str(), argv.data(), envp.data());
  return sys_error("exec " + p.args[0]);
}

}  // namespace berth::runtime
