// Times the cgroup work a container start and removal do: make_manager +
// create + add_process (+ apply of a typical limit set) and signal_all +
// destroy. Run as root: build/release/bench/cgroups/bench_cgroups
// For the syscall count of one create, run with --syscalls under strace:
//   strace -f -c build/release/bench/cgroups/bench_cgroups --once v1
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "runtime/cgroups/cgroup.hpp"

namespace {

using berth::cgroups::ManagerOptions;

ManagerOptions options_for(const std::string& layout, int n) {
  ManagerOptions o;
  if (layout == "v2") o.mount_root = "/sys/fs/cgroup/unified";
  o.cgroups_path = "/berth-bench/" + std::to_string(::getpid()) + "-" + std::to_string(n);
  return o;
}

berth::cgroups::Resources typical() {
  berth::cgroups::Resources r;
  r.pids_limit = 1024;
  return r;
}

// One container's worth of cgroup work, with a real child joining.
bool one_cycle(const std::string& layout, int n, bool with_limits) {
  auto m = berth::cgroups::make_manager(options_for(layout, n));
  if (!m || !(*m)->create()) return false;
  if (with_limits && layout != "v2" && !(*m)->apply(typical())) return false;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  bool ok = (*m)->add_process(pid).has_value();
  ok = (*m)->signal_all(SIGKILL).has_value() && ok;
  ::waitpid(pid, nullptr, 0);
  return (*m)->destroy().has_value() && ok;
}

void BM_Create(benchmark::State& state, const std::string& layout) {
  int n = 0;
  for (auto _ : state) {
    auto m = berth::cgroups::make_manager(options_for(layout, n++));
    if (!m || !(*m)->create()) {
      state.SkipWithError("create failed");
      break;
    }
    state.PauseTiming();
    (void)(*m)->destroy();
    state.ResumeTiming();
  }
}

void BM_Cycle(benchmark::State& state, const std::string& layout) {
  int n = 0;
  for (auto _ : state) {
    if (!one_cycle(layout, n++, true)) {
      state.SkipWithError("cycle failed");
      break;
    }
  }
}

BENCHMARK_CAPTURE(BM_Create, v1_hybrid, std::string("v1"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Create, v2_unified, std::string("v2"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Cycle, v1_hybrid, std::string("v1"))->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Cycle, v2_unified, std::string("v2"))->Unit(benchmark::kMicrosecond);

// Leaves nothing behind: removes the shared parent of the bench groups.
int cleanup(int rc) {
  for (const char* root : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
    ManagerOptions o;
    o.mount_root = root;
    o.cgroups_path = "/berth-bench";
    if (auto m = berth::cgroups::make_manager(o)) (void)(*m)->destroy();
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--cycle") == 0)
    return cleanup(one_cycle(argv[2], 0, true) ? 0 : 1);
  if (argc == 3 && std::strcmp(argv[1], "--once") == 0) {
    // One create + destroy, for strace -c.
    auto m = berth::cgroups::make_manager(options_for(argv[2], 0));
    bool ok = m && (*m)->create() && (*m)->destroy();
    return cleanup(ok ? 0 : 1);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return cleanup(0);
}
