// berth-monitor --id ID --dir DIR --runtime-root ROOT [--tty] [--stdin]
//               [--stdin-once] [--ready-fd N] [--exec EXEC-ID]
//
// berthd spawns it in a new session; it forks once more and the parent
// exits at once, so the monitor is nobody's child (it outlives berthd
// and is reparented to init). The readiness line goes to --ready-fd.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "monitor/monitor.hpp"

int main(int argc, char** argv) {
  berth::monitor::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "berth-monitor: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--id") o.id = value();
    else if (a == "--dir") o.dir = value();
    else if (a == "--runtime-root") o.runtime_root = value();
    else if (a == "--exec") o.exec_id = value();
    else if (a == "--ready-fd") o.ready_fd = std::atoi(value().c_str());
    else if (a == "--tty") o.tty = true;
    else if (a == "--stdin") o.open_stdin = true;
    else if (a == "--stdin-once") o.stdin_once = true;
    else {
      std::fprintf(stderr, "berth-monitor: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (o.id.empty() || o.dir.empty() || o.runtime_root.empty()) {
    std::fprintf(stderr, "berth-monitor: --id, --dir and --runtime-root are required\n");
    return 2;
  }
  // The container's init must not inherit the readiness pipe: berthd
  // reads it to EOF.
  if (o.ready_fd >= 0) ::fcntl(o.ready_fd, F_SETFD, FD_CLOEXEC);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("berth-monitor: fork");
    return 1;
  }
  if (pid > 0) _exit(0);  // the spawner reaps this one; the monitor is orphaned
  return berth::monitor::run(o);
}
