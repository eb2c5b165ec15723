// HostContainerService's in-memory record of one container (private to
// the container_*.cpp files of the engine).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "engine/container_service.hpp"
#include "monitor/protocol.hpp"

namespace berth::engine {

struct Waiter {
  WaitCondition condition;
  std::function<void(WaitResult)> done;
  std::weak_ptr<void> alive;
};

struct Watcher {
  std::function<void()> changed;
  std::weak_ptr<void> alive;
};

// Callbacks run under the service's mutex: they must only record and wake
// (Notifier::wake), never call back into the service.
struct HostContainerService::Entry {
  Container c;
  UniqueFd dirfd;          // O_PATH on c.dir
  UniqueFd monitor_pidfd;  // while a monitor runs
  UniqueFd monitor_done;   // its readiness pipe: hangs up once the exit is recorded
  bool monitor_ready = false;  // its socket answers (attach may connect)
  bool starting = false, removing = false, stop_requested = false;
  int pending_attach = 0;
  int64_t exits = 0;  // exits seen since berthd started
  // Exits whose `die` event is out: a stop or rm waits for it, so that
  // `die` comes before their own `stop`/`destroy` as with dockerd.
  int64_t exits_announced = 0;
  int64_t restart_delay_ms = 0;  // the restart policy's current backoff
  bool restart_pending = false;
  uint64_t health_gen = 0;  // bumped per start and exit: older probes' results are dropped
  std::vector<Waiter> waiters;
  std::vector<Watcher> watchers;

  void fire(WaitCondition which, const WaitResult& r) {
    std::erase_if(waiters, [&](Waiter& w) {
      bool hit = which == WaitCondition::Removed ? true : w.condition != WaitCondition::Removed;
      if (!hit) return false;
      if (!w.alive.expired()) w.done(r);
      return true;
    });
  }
  void changed() {
    std::erase_if(watchers, [](const Watcher& w) { return w.alive.expired(); });
    for (auto& w : watchers) w.changed();
  }
};

struct HostContainerService::ExecEntry {
  std::string id, container_id;
  ExecSettings s;
  UniqueFd dirfd;          // O_PATH on the session directory, once started
  UniqueFd monitor_pidfd;  // while its monitor runs (the reaper polls it)
  std::string dir;
  bool started = false, running = false;
  bool died = false;  // exec_die published
  std::optional<int> exit_code;
  int64_t pid = 0;
  // When it ended: inspect answers from memory for a while after (as
  // dockerd keeps finished execs), then the entry is dropped.
  std::optional<std::chrono::steady_clock::time_point> ended;

  // A running session is over once its monitor wrote the exit file.
  void refresh() {
    if (!running || !dirfd) return;
    if (auto ex = monitor::read_exit(dirfd.get())) {
      running = false;
      exit_code = ex->code;
    }
  }
};

std::string snapshot_key(const std::string& id);
// Removes a directory tree (not crossing mounts); a missing one is fine.
Result<> remove_tree(const std::string& path);

}  // namespace berth::engine
