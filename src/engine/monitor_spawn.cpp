#include "engine/monitor_spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "engine/crash_point.hpp"

extern char** environ;

namespace berth::engine {
namespace {

Result<std::pair<int64_t, int64_t>> read_ready_line(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, 120000);
    if (n == 0) return make_error(ErrorCategory::Internal, "berth-monitor did not report readiness");
    if (n < 0 && errno == EINTR) continue;
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buf, static_cast<size_t>(got));
    if (text.find('\n') != std::string::npos) break;
  }
  text = std::string(trim(text));
  if (text.starts_with("error ")) return make_error(ErrorCategory::InvalidArgument, text.substr(6));
  auto words = split(text, ' ');
  if (words.size() != 3 || words[0] != "ok")
    return make_error(ErrorCategory::Internal, "berth-monitor failed: " + (text.empty() ? "no answer" : text));
  return std::pair{TRY(parse_int<int64_t>(words[1])), TRY(parse_int<int64_t>(words[2]))};
}

}  // namespace

namespace {

// `name` beside our own binary, installed or in the build tree.
std::string sibling_binary(const std::string& name) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
  dir = dir.substr(0, dir.rfind('/'));
  for (std::string p : {dir + "/" + name, dir + "/../" + name + "/" + name})
    if (::access(p.c_str(), X_OK) == 0) return p;
  return "";
}

}  // namespace

std::string find_monitor_binary(const std::string& configured) {
  if (!configured.empty()) return configured;
  auto found = sibling_binary("berth-monitor");
  return found.empty() ? "berth-monitor" : found;
}

std::string find_init_binary() { return sibling_binary("berth-init"); }

Result<std::pair<int64_t, int64_t>> spawn_monitor_process(const std::string& bin,
                                                         const std::vector<std::string>& args,
                                                         const std::string& stderr_path,
                                                         UniqueFd* done) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd ready_r(p[0]), ready_w(p[1]);
  std::vector<std::string> all = {bin};
  all.insert(all.end(), args.begin(), args.end());
  all.push_back("--ready-fd");
  all.push_back("3");
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  ::posix_spawn_file_actions_adddup2(&fa, ready_w.get(), 3);
  // Nothing else of berthd's may reach the monitor: Asio's accepted API
  // sockets are not close-on-exec, and a monitor holding a client's
  // connection kept `docker start` hanging after berthd died.
  ::posix_spawn_file_actions_addclosefrom_np(&fa, 4);
  sigset_t none, all_signals;
  sigemptyset(&none);
  sigfillset(&all_signals);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all_signals);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, bin.c_str(), &fa, &attr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  if (err != 0) return sys_error("spawn " + bin, err);
  ready_w.reset();
  int status = 0;
  // The spawned process forks the real monitor and exits at once.
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  crash_point("start:spawned");  // the monitor then finds nobody to tell it is ready
  auto ready = read_ready_line(ready_r.get());
  if (!ready) ::kill(-pid, SIGKILL);  // its session's process group
  else if (done) *done = std::move(ready_r);
  return ready;
}

}  // namespace berth::engine
