// steptrace: runs a command under ptrace, single-stepping it and every
// process it forks until they exec something else, and prints the
// addresses inside [lo, hi) where execution first entered each 16-byte
// slot, in the order they were first reached. bench/layout/order.sh turns
// them into the function order the static programs are linked in (lld
// --symbol-ordering-file), so the code one container operation runs sits
// on as few pages as possible. A development tool: nothing in the build
// or the tests runs it.
//
// Usage: steptrace LO HI OUT -- command args...   (LO, HI in hex)
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static uint8_t* seen;
static uint64_t lo, hi;
static FILE* out;

// Tracees still attached, so they can be let go when the command exits
// (a `create` leaves its init behind, blocked until `start`).
static pid_t tracees[64];
static int ntracees;

static void forget(pid_t pid) {
  for (int i = 0; i < ntracees; i++)
    if (tracees[i] == pid) tracees[i] = tracees[--ntracees];
}

static void release_all(void) {
  for (int i = 0; i < ntracees; i++) {
    int status;
    kill(tracees[i], SIGSTOP);
    while (waitpid(tracees[i], &status, __WALL) == tracees[i] && WIFSTOPPED(status) &&
           WSTOPSIG(status) != SIGSTOP)
      ptrace(PTRACE_SINGLESTEP, tracees[i], 0, 0);
    ptrace(PTRACE_DETACH, tracees[i], 0, 0);
  }
}

static void record(uint64_t rip) {
  if (rip < lo || rip >= hi) return;
  uint64_t slot = (rip - lo) / 16;
  if (seen[slot]) return;
  seen[slot] = 1;
  fprintf(out, "%lx\n", (unsigned long)rip);
}

int main(int argc, char** argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: steptrace LO HI OUT -- command args...\n");
    return 2;
  }
  lo = strtoull(argv[1], NULL, 16);
  hi = strtoull(argv[2], NULL, 16);
  seen = calloc((hi - lo) / 16 + 1, 1);
  out = fopen(argv[3], "w");
  if (!seen || !out) return 2;
  pid_t root = fork();
  if (root == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[5], argv + 5);
    _exit(127);
  }
  int status;
  waitpid(root, &status, 0);
  ptrace(PTRACE_SETOPTIONS, root, 0,
         PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC);
  tracees[ntracees++] = root;
  ptrace(PTRACE_CONT, root, 0, 0);  // to the exec of the command
  int execs_of_root = 0, root_status = 0;
  for (;;) {
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: everyone is gone
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      forget(pid);
      if (pid != root) continue;
      root_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      release_all();
      break;
    }
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status), event = status >> 16;
    if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
      // The command itself once; any later exec leaves our binary.
      if (pid == root && execs_of_root++ == 0) {
        ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
      } else {
        ptrace(PTRACE_DETACH, pid, 0, 0);
        forget(pid);
      }
      continue;
    }
    if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                           event == PTRACE_EVENT_CLONE)) {
      unsigned long child;
      if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &child) == 0 && ntracees < 64) tracees[ntracees++] = (pid_t)child;
    }
    int deliver = 0;
    if (sig == SIGTRAP && event == 0) {
      struct user_regs_struct regs;
      if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0) record(regs.rip);
    } else if (sig == SIGTRAP || (sig == SIGSTOP && event == 0) || event != 0) {
      // fork/clone events, a new child's first stop: no signal to pass.
    } else {
      deliver = sig;
    }
    ptrace(PTRACE_SINGLESTEP, pid, 0, deliver);
  }
  fclose(out);
  return root_status;
}
