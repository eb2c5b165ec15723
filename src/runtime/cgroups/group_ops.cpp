#include "runtime/cgroups/group_ops.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/log.hpp"
#include "runtime/cgroups/util.hpp"

namespace berth::cgroups {

namespace {

using Clock = std::chrono::steady_clock;

Result<std::map<std::string, uint64_t>> read_events(int fd) {
  char buf[512];
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n < 0) return sys_error("read cgroup.events");
  return parse_flat_keyed(std::string_view(buf, static_cast<size_t>(n)));
}

// Waits until cgroup.events has `key` == `want`. kernfs signals changes
// to cgroup.events as POLLPRI, but the kernel rate-limits that to one
// notification per 10 ms per file, and a group that just got its first
// task has used it up. So the poll also times out on a short escalating
// schedule (20 us doubling to 1 ms) and the file is re-read: quick state
// changes are seen within microseconds, slow ones cost a few reads.
Result<bool> wait_event(const std::string& dir, const char* key, uint64_t want,
                        std::chrono::microseconds budget) {
  auto fd = TRY(open_file(dir + "/cgroup.events", O_RDONLY));
  auto deadline = Clock::now() + budget;
  std::chrono::microseconds step{20};
  while (true) {
    auto events = TRY(read_events(fd.get()));
    if (events[key] == want) return true;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    auto wait = std::min(step, left);
    step = std::min(step * 2, std::chrono::microseconds(1000));
    timespec ts{0, static_cast<long>(wait.count()) * 1000};
    pollfd pfd{fd.get(), POLLPRI, 0};
    if (::ppoll(&pfd, 1, &ts, nullptr) < 0 && errno != EINTR)
      return sys_error("poll " + dir + "/cgroup.events");
  }
}

}  // namespace

Result<> freeze_v2_group(const std::string& dir, FreezerState target) {
  bool frozen = target == FreezerState::Frozen;
  TRY_CTX(write_value(dir, "cgroup.freeze", frozen ? "1" : "0"), frozen ? "pause" : "resume");
  if (TRY(wait_event(dir, "frozen", frozen ? 1 : 0, std::chrono::seconds(2)))) return ok();
  if (frozen) (void)write_value(dir, "cgroup.freeze", "0");
  return make_error(ErrorCategory::Unavailable,
                    std::string(frozen ? "freeze " : "thaw ") + dir + ": timed out");
}

Result<FreezerState> v2_freezer_state(const std::string& dir) {
  if (!has_file(dir, "cgroup.freeze")) return FreezerState::Thawed;
  if (TRY(read_value(dir, "cgroup.freeze")) == "0") return FreezerState::Thawed;
  auto events = parse_flat_keyed(TRY(read_file(dir + "/cgroup.events")));
  return events["frozen"] == 1 ? FreezerState::Frozen : FreezerState::Freezing;
}

Result<> wait_unpopulated(const std::string& dir, std::chrono::microseconds budget) {
  if (TRY(wait_event(dir, "populated", 0, budget))) return ok();
  return make_error(ErrorCategory::Conflict, "cgroup " + dir + " still has processes");
}

Result<> signal_each(Manager& manager, int sig, const std::string& v2_freeze_dir) {
  auto state = [&]() -> Result<FreezerState> {
    return v2_freeze_dir.empty() ? manager.freezer_state() : v2_freezer_state(v2_freeze_dir);
  };
  auto set = [&](FreezerState target) -> Result<> {
    return v2_freeze_dir.empty() ? manager.freeze(target) : freeze_v2_group(v2_freeze_dir, target);
  };
  auto before = state();
  bool was_thawed = !before || *before == FreezerState::Thawed;
  bool froze = false;
  if (was_thawed) {
    if (auto r = set(FreezerState::Frozen); r)
      froze = true;
    else
      log::debug("signal without freezing", {{"error", r.error()}});
  }
  auto pids = manager.pids();
  Result<> result = ok();
  if (!pids) {
    result = tl::unexpected(pids.error());
  } else {
    for (pid_t pid : *pids) {
      if (::kill(pid, sig) < 0 && errno != ESRCH) {
        result = sys_error("kill " + std::to_string(pid));
        break;
      }
    }
  }
  if (froze || (sig == SIGKILL && !was_thawed)) {
    if (auto r = set(FreezerState::Thawed); !r && result) result = r;
  }
  return result;
}

}  // namespace berth::cgroups
