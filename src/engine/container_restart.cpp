// HostContainerService: restart policies. After an exit (seen by the
// reaper, or recorded while berthd was down) a container whose policy
// says so is started again after dockerd's backoff: 100 ms, doubling per
// consecutive restart up to a minute, back to 100 ms once a run lasted
// 10 s. stop/kill/rm cancel it; `always` (and `unless-stopped` unless it
// was stopped by hand) also bring containers back when berthd starts.
#include <chrono>

#include "base/log.hpp"
#include "engine/container_config.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "engine/container_restart.hpp"
#include "engine/local_image_service.hpp"

namespace berth::engine {

bool should_restart(const std::string& policy, int64_t max_retries, int exit_code, int64_t restart_count,
                    bool manually_stopped) {
  if (policy == "always") return true;
  if (policy == "unless-stopped") return !manually_stopped;
  if (policy == "on-failure") return exit_code != 0 && (max_retries <= 0 || restart_count < max_retries);
  return false;
}

int64_t next_restart_delay_ms(int64_t previous_ms, int64_t ran_ms) {
  if (ran_ms >= 10000) previous_ms = 0;
  if (previous_ms <= 0) return 100;
  return std::min<int64_t>(previous_ms * 2, 60000);
}

namespace {

int64_t ran_ms(const ContainerState& st) {
  int64_t start = parse_rfc3339_seconds(st.started_at), end = parse_rfc3339_seconds(st.finished_at);
  return start > 0 && end > start ? (end - start) * 1000 : 0;
}

}  // namespace

void HostContainerService::schedule_restart(const std::shared_ptr<Entry>& e, bool at_boot) {
  RunSettings s;
  {
    std::lock_guard lock(mu_);
    auto settings = run_settings(e->c);
    if (!settings) return;
    s = std::move(*settings);
    const auto& st = e->c.state;
    // A stop, kill or rm while it ran cancels the policy until the next start.
    bool stopped = st.manually_stopped || e->stop_requested;
    if (st.running() || e->starting || e->removing || (!at_boot && stopped)) return;
    if (!should_restart(s.restart_policy, s.restart_max, st.exit_code, e->c.restart_count,
                        at_boot && s.restart_policy != "always" && st.manually_stopped))
      return;
    e->restart_delay_ms = at_boot ? 0 : next_restart_delay_ms(e->restart_delay_ms, ran_ms(st));
    e->restart_pending = true;
    e->c.state.restarting = true;  // inspect: Restarting, ps: "Restarting (n) ..."
    persist(*e);
    restarts_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(e->restart_delay_ms), e->c.id);
  }
  restart_cv_.notify_all();
}

void HostContainerService::restarter() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (restarts_.empty()) {
      restart_cv_.wait(lock);
      continue;
    }
    auto due = restarts_.begin()->first;
    if (std::chrono::steady_clock::now() < due) {
      restart_cv_.wait_until(lock, due);
      continue;
    }
    std::string id = restarts_.begin()->second;
    restarts_.erase(restarts_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    auto e = it->second;
    if (!e->restart_pending) continue;
    e->restart_pending = false;
    e->c.state.restarting = false;
    if (e->removing || e->c.state.running() || e->starting) continue;
    ++e->c.restart_count;
    persist(*e);
    lock.unlock();
    if (auto r = start(id); !r)
      log::warn("restart policy: start failed", {{"id", id}, {"error", r.error()}});
    else
      log::info("restart policy: restarted", {{"id", id}, {"count", e->c.restart_count}});
    lock.lock();
  }
}

void HostContainerService::start_restarter() {
  std::vector<std::shared_ptr<Entry>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) all.push_back(e);
  }
  for (const auto& e : all) schedule_restart(e, true);
  restarter_ = std::thread([this] { restarter(); });
}

void HostContainerService::stop_restarter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  restart_cv_.notify_all();
  if (restarter_.joinable()) restarter_.join();
}

}  // namespace berth::engine
