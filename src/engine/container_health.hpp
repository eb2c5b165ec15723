// Docker's health checks, the parts that need no process: the check's
// settings read from a container's Config, the image's HEALTHCHECK merged
// under the user's, a probe's result applied to State.Health as dockerd
// applies it, and State.Health's JSON. The probes themselves (execs on a
// timer) are in container_health_run.cpp.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"

namespace berth::engine {

// dockerd's defaults for fields left at 0.
inline constexpr int64_t kHealthDefaultIntervalNs = 30'000'000'000;
inline constexpr int64_t kHealthDefaultTimeoutNs = 30'000'000'000;
inline constexpr int kHealthDefaultRetries = 3;
inline constexpr size_t kHealthMaxOutput = 4096;
inline constexpr size_t kHealthMaxLog = 5;

struct HealthConfig {
  std::vector<std::string> test;  // "CMD"/"CMD-SHELL" then the command
  int64_t interval_ns = kHealthDefaultIntervalNs;
  int64_t timeout_ns = kHealthDefaultTimeoutNs;
  int64_t start_period_ns = 0;
  int retries = kHealthDefaultRetries;
  std::vector<std::string> shell;  // Config.Shell (CMD-SHELL runs through it)
};

// The check a container runs; nullopt without one (no Healthcheck, an
// empty Test, or Test ["NONE"]).
std::optional<HealthConfig> health_config(const Container& c);

// dockerd's merge: without a user Healthcheck the image's applies; with
// one, its zero fields take the image's values.
void merge_healthcheck(boost::json::object& config, const boost::json::object& image_config);
// dockerd's create-time checks (durations of at least 1 ms, retries >= 0).
Result<> check_healthcheck(const boost::json::object& config);

// The command a probe executes: CMD's arguments, or CMD-SHELL's string
// through `shell` (Config.Shell, default /bin/sh -c).
Result<std::vector<std::string>> probe_command(const HealthConfig& hc, const std::vector<std::string>& shell);

// Applies one result as dockerd does; returns whether Status changed.
// `started_at` is State.StartedAt (the start period counts from it).
bool apply_probe_result(HealthState& h, HealthResult r, const HealthConfig& hc, std::string_view started_at);

// Collects probe output: the first 4096 bytes, "..." once more came.
class LimitedOutput {
 public:
  void add(std::string_view data);
  std::string text() const { return truncated_ ? buf_ + "..." : buf_; }

 private:
  std::string buf_;
  bool truncated_ = false;
};

// Go's time.Duration formatting ("1s", "1m30s", "500ms"), which dockerd's
// timeout message uses.
std::string go_duration(int64_t ns);

boost::json::value health_to_json(const HealthState& h);
std::optional<HealthState> health_from_json(const boost::json::value* v);

}  // namespace berth::engine
