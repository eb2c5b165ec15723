// HostContainerService: health probes. While a container with a health
// check runs, one timer per container (a multimap served by one thread)
// starts a probe `Interval` after the previous one ended; each probe runs
// on its own short-lived thread as an exec session (the exec path and its
// exec_create/exec_start/exec_die events, as dockerd's probes), collects
// stdout and stderr (4096 bytes), kills the session after `Timeout`, and
// applies the result to State.Health. A start or exit bumps the entry's
// health generation, so results of older probes are dropped.
#include <poll.h>

#include <boost/json.hpp>
#include <csignal>

#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_health.hpp"
#include "engine/container_service.hpp"
#include "oci/image_config.hpp"

namespace berth::engine {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point after_ns(int64_t ns) { return Clock::now() + std::chrono::nanoseconds(ns); }

uint32_t frame_size(const std::string& buf) {
  uint32_t size = 0;
  for (int i = 4; i < 8; ++i) size = (size << 8) | static_cast<unsigned char>(buf[i]);
  return size;
}

}  // namespace

void HostContainerService::arm_health(const std::shared_ptr<Entry>& e, bool fresh_start) {
  std::lock_guard lock(mu_);
  auto hc = health_config(e->c);
  if (!hc || !e->c.state.running()) return;
  auto& h = e->c.state.health;
  if (fresh_start || !h) {
    // dockerd keeps the log of earlier runs and starts over at "starting".
    if (!h) h = HealthState{};
    h->status = "starting";
    h->failing_streak = 0;
    persist(*e);
  }
  health_due_.emplace(after_ns(hc->interval_ns), std::pair{e->c.id, ++e->health_gen});
  health_cv_.notify_all();
}

void HostContainerService::health_stopped(Entry& e) {
  ++e.health_gen;
  // dockerd reports a stopped container's last health as unhealthy.
  if (e.c.state.health) e.c.state.health->status = "unhealthy";
}

void HostContainerService::health_loop() {
  std::unique_lock lock(mu_);
  while (!health_stopping_) {
    if (health_due_.empty()) {
      health_cv_.wait(lock);
      continue;
    }
    auto due = health_due_.begin()->first;
    if (Clock::now() < due) {
      health_cv_.wait_until(lock, due);
      continue;
    }
    auto [id, gen] = health_due_.begin()->second;
    health_due_.erase(health_due_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second->health_gen != gen || !it->second->c.state.running()) continue;
    ++probes_running_;
    std::thread([this, e = it->second, gen = gen] { run_probe(e, gen); }).detach();
  }
}

void HostContainerService::run_probe(const std::shared_ptr<Entry>& e, uint64_t gen) {
  std::optional<HealthConfig> hc;
  bool paused = false;
  std::string id;
  {
    std::lock_guard lock(mu_);
    hc = health_config(e->c);
    paused = e->c.state.paused;
    id = e->c.id;
  }
  std::optional<HealthResult> result;
  if (hc && !paused) {  // dockerd does not probe a paused container
    auto cmd = probe_command(*hc, hc->shell);
    if (cmd) {
      result = probe(id, hc->timeout_ns, *cmd);
    } else {
      result = HealthResult{oci::rfc3339_now(), oci::rfc3339_now(), -1, cmd.error().message()};
    }
  }
  Container c;
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    --probes_running_;
    health_cv_.notify_all();
    if (!hc || health_stopping_ || e->health_gen != gen || !e->c.state.running() || e->removing) return;
    if (result && e->c.state.health) {
      changed = apply_probe_result(*e->c.state.health, std::move(*result), *hc, e->c.state.started_at);
      persist(*e);
      c = e->c;
    }
    health_due_.emplace(after_ns(hc->interval_ns), std::pair{id, gen});
  }
  if (changed) publish(c, "health_status: " + c.state.health->status);
}

HealthResult HostContainerService::probe(const std::string& id, int64_t timeout_ns,
                                         const std::vector<std::string>& cmd) {
  HealthResult r;
  r.start = oci::rfc3339_now();
  auto failed = [&](const Error& error) {
    r.exit_code = -1;
    r.output = error.message();
    r.end = oci::rfc3339_now();
    return r;
  };
  boost::json::array argv;
  for (const auto& a : cmd) argv.emplace_back(a);
  boost::json::object body{{"Cmd", std::move(argv)}, {"AttachStdout", true}, {"AttachStderr", true}};
  auto exec_id = exec_create(id, boost::json::serialize(body));
  if (!exec_id) return failed(exec_id.error());
  auto forget = ScopeGuard([&] { forget_exec(*exec_id); });
  auto fd = exec_start(*exec_id, ExecStart{});
  if (!fd) return failed(fd.error());
  LimitedOutput out;
  std::string buf;
  auto deadline = after_ns(timeout_ns);
  bool eof = false;
  while (!eof && Clock::now() < deadline && !health_stopping_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd->get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(left, 1, 250))) <= 0) continue;
    char chunk[8192];
    ssize_t n = ::read(fd->get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
    // stdout and stderr arrive as stdcopy frames; both go to Output.
    while (buf.size() >= 8 && buf.size() >= 8 + frame_size(buf)) {
      out.add(std::string_view(buf).substr(8, frame_size(buf)));
      buf.erase(0, 8 + frame_size(buf));
    }
  }
  if (!eof) {
    (void)exec_kill(*exec_id, SIGKILL);
    // Wait (briefly) for it to go, so dying probes do not pile up.
    for (int i = 0; i < 50; ++i) {
      pollfd p{fd->get(), POLLIN, 0};
      char chunk[8192];
      if (::poll(&p, 1, 100) > 0 && ::read(fd->get(), chunk, sizeof chunk) <= 0) break;
    }
    r.exit_code = -1;
    r.output = "Health check exceeded timeout (" + go_duration(timeout_ns) + ")";
    r.end = oci::rfc3339_now();
    return r;
  }
  auto info = exec_inspect(*exec_id);
  r.exit_code = info && info->exit_code ? *info->exit_code : -1;
  r.output = out.text();
  r.end = oci::rfc3339_now();
  return r;
}

void HostContainerService::start_health() {
  std::vector<std::shared_ptr<Entry>> running;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_)
      if (e->c.state.running()) running.push_back(e);
  }
  // Re-adopted containers keep their health and probe again.
  for (const auto& e : running) arm_health(e, false);
  health_thread_ = std::thread([this] { health_loop(); });
}

void HostContainerService::stop_health() {
  std::unique_lock lock(mu_);
  health_stopping_ = true;
  health_cv_.notify_all();
  lock.unlock();
  if (health_thread_.joinable()) health_thread_.join();
  lock.lock();
  health_cv_.wait(lock, [&] { return probes_running_ == 0; });
}

}  // namespace berth::engine
