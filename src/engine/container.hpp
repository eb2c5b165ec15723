// Containers as the engine keeps them, and the service interface the API
// routes call. A container's Docker Config and HostConfig are stored as the
// JSON documents dockerd would show in inspect (image defaults merged into
// Config); the typed fields berthd acts on are read from them when needed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "engine/filters.hpp"

namespace berth::engine {

inline constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

// One health probe's outcome, as State.Health.Log shows it.
struct HealthResult {
  std::string start, end;  // RFC 3339
  int exit_code = 0;       // -1: the probe could not run or timed out
  std::string output;      // at most 4096 bytes, "..." appended when cut
};

// State.Health: present while the container has a health check and has
// been started at least once.
struct HealthState {
  std::string status = "starting";  // starting healthy unhealthy
  int64_t failing_streak = 0;
  std::vector<HealthResult> log;  // the last five
};

struct ContainerState {
  std::string status = "created";  // created running exited removing dead
  int64_t pid = 0;
  int64_t monitor_pid = 0;
  int exit_code = 0;
  std::string error;
  std::string started_at = kZeroTime, finished_at = kZeroTime;
  bool paused = false;            // frozen; status stays "running"
  bool manually_stopped = false;  // by stop/kill: unless-stopped stays down
  bool restarting = false;        // exited, the restart policy's start is due
  std::optional<HealthState> health;
  bool running() const { return status == "running"; }
  // The status Docker shows: "paused" for a frozen running container,
  // "restarting" while the restart policy waits.
  std::string docker_status() const {
    if (restarting && !running()) return "restarting";
    return paused && running() ? "paused" : status;
  }
};

struct Container {
  std::string id;
  std::string name;  // without dockerd's leading slash
  std::string image;     // as given to create
  std::string image_id;  // sha256:...
  std::string created;   // RFC 3339
  std::string path;
  std::vector<std::string> args;
  std::string config;       // Docker Config JSON
  std::string host_config;  // Docker HostConfig JSON
  ContainerState state;
  int64_t restart_count = 0;
  std::string dir;       // <data-root>/containers/<id>
  std::string log_path;  // json-file log
  bool tty = false, open_stdin = false, stdin_once = false, auto_remove = false;
  std::map<std::string, std::string> labels;
};

struct CreateResult {
  std::string id;
  std::vector<std::string> warnings;
};

enum class WaitCondition { NotRunning, NextExit, Removed };
Result<WaitCondition> parse_wait_condition(std::string_view text);

struct WaitResult {
  int code = 0;
  std::string error;  // empty unless the wait itself failed
};

struct ListOptions {
  bool all = false;
  int64_t limit = -1;
  Filters filters;
};

struct AttachStreams {
  bool in = false, out = false, err = false;
};

// A registration that ends when the handle is dropped.
using Handle = std::shared_ptr<void>;

class ContainerService {
 public:
  virtual ~ContainerService() = default;

  // `body` is the JSON of POST /containers/create; `name` may be empty.
  virtual Result<CreateResult> create(const std::string& name, std::string_view body) = 0;
  // A full id, a name (with or without "/"), or a unique id prefix.
  virtual Result<Container> get(const std::string& ref) = 0;
  virtual Result<std::vector<Container>> list(const ListOptions& options) = 0;

  // false: it was already running (the route answers 304).
  virtual Result<bool> start(const std::string& ref) = 0;
  // false: it was not running (304). timeout: seconds before SIGKILL.
  virtual Result<bool> stop(const std::string& ref, std::optional<int> timeout,
                            const std::string& signal) = 0;
  virtual Result<> restart(const std::string& ref, std::optional<int> timeout,
                           const std::string& signal) = 0;
  virtual Result<> kill(const std::string& ref, const std::string& signal) = 0;
  virtual Result<> remove(const std::string& ref, bool force) = 0;
  // As remove(); with `volumes` also the container's anonymous volumes
  // (DELETE /containers/{id}?v=1).
  virtual Result<> remove_with_volumes(const std::string& ref, bool force, bool volumes) {
    (void)volumes;
    return remove(ref, force);
  }
  virtual Result<> resize(const std::string& ref, int height, int width) = 0;

  // Calls `done` once (from any thread) when the condition holds, at once
  // if it already does. Dropping the handle cancels.
  virtual Result<Handle> wait(const std::string& ref, WaitCondition condition,
                              std::function<void(WaitResult)> done) = 0;
  // Calls `changed` (from any thread) on every state change of `id`.
  virtual Handle watch(const std::string& id, std::function<void()> changed) = 0;
  // While held, a start waits (briefly) for this attach to connect, so no
  // early output is missed.
  virtual Result<Handle> reserve_attach(const std::string& ref) = 0;
  // Unavailable while the container's monitor is not up yet.
  virtual Result<UniqueFd> attach(const std::string& id, const AttachStreams& streams) = 0;
};

// Docker's names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ with an optional leading "/".
Result<std::string> validate_container_name(std::string_view name);
// "adjective_surname", as dockerd names containers.
std::string generate_container_name(uint64_t seed);
// A signal by name or number as docker parses it: its Linux table with
// aliases (IOT, POLL, CLD, RTMIN+n, RTMAX-n), case-insensitive, with or
// without "SIG"; any non-zero number ("" is SIGKILL).
Result<int> parse_signal(std::string_view text);
// Whether a number is a Linux signal docker sends (1-31, 34-64).
bool signal_supported(int signo);

}  // namespace berth::engine
