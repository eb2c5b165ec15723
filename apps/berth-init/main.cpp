// berth-init: PID 1 for `docker run --init`. Usage: berth-init [--] cmd...
//
// It starts the command as its only direct child, forwards every signal it
// can catch to that child, reaps every process re-parented to it (so
// orphans do not stay zombies), and exits with the child's status: its
// exit code, or 128 + the signal that killed it. When it is not PID 1 it
// makes itself the child subreaper, so orphans still come to it.
//
// Deliberately libc-only and tiny: it lives in every --init container.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

// Signals that report a fault of this process itself; never forwarded.
bool synchronous(int sig) {
  return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGTRAP ||
         sig == SIGSYS;
}

void forwardable_set(sigset_t* set) {
  sigfillset(set);
  for (int sig = 1; sig < NSIG; ++sig)
    if (synchronous(sig)) sigdelset(set, sig);
}

[[noreturn]] void run_child(char** argv, const sigset_t& old_mask) {
  // The command starts with the signal state a process normally has.
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) std::signal(sig, SIG_DFL);
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  execvp(argv[0], argv);
  int err = errno;
  std::fprintf(stderr, "berth-init: exec %s failed: %s\n", argv[0], std::strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// Reaps every exited child; returns true once `child` is among them.
bool reap_all(pid_t child, int* code) {
  bool child_done = false;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return child_done;
    if (pid == child) {
      *code = status_code(status);
      child_done = true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  if (first < argc && std::strcmp(argv[first], "--") == 0) ++first;
  if (first >= argc) {
    std::fprintf(stderr, "usage: berth-init [--] command [args...]\n");
    return 2;
  }
  if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    std::fprintf(stderr, "berth-init: cannot become a subreaper: %s\n", std::strerror(errno));
    return 1;
  }
  sigset_t all, old_mask;
  forwardable_set(&all);
  sigprocmask(SIG_BLOCK, &all, &old_mask);
  pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "berth-init: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) run_child(argv + first, old_mask);
  int code = 0;
  for (;;) {
    siginfo_t info;
    timespec tick{1, 0};  // a lost SIGCHLD still gets reaped within a second
    int sig = sigtimedwait(&all, &info, &tick);
    if (sig < 0 && errno != EAGAIN && errno != EINTR) {
      std::fprintf(stderr, "berth-init: sigtimedwait: %s\n", std::strerror(errno));
      return 1;
    }
    if (sig > 0 && sig != SIGCHLD) (void)kill(child, sig);
    if (reap_all(child, &code)) break;
  }
  // Orphans still around die with the namespace once we exit; reap the
  // ones already gone so none of their exits is lost meanwhile.
  int ignored = 0;
  (void)reap_all(-1, &ignored);
  return code;
}
