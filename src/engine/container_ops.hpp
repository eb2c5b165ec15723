// The container operations beyond the lifecycle of container.hpp: exec
// sessions, top, stats, pause, rename, update, changes, export, archive
// and prune. HostContainerService implements both interfaces; the API
// binds these routes only when the daemon hands it this interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "engine/container.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::engine {

// POST /containers/{id}/exec, as dockerd keeps it.
struct ExecSettings {
  std::vector<std::string> cmd, env;
  std::string user, working_dir, detach_keys;
  bool tty = false, attach_stdin = false, attach_stdout = false, attach_stderr = false;
  bool privileged = false;
};
Result<ExecSettings> parse_exec_body(std::string_view body);

struct ExecInfo {
  std::string id, container_id;
  ExecSettings settings;
  bool running = false;
  std::optional<int> exit_code;  // once it ended (or failed to start)
  int64_t pid = 0;
};

struct ExecStart {
  bool detach = false;
  std::optional<std::pair<int, int>> console_size;  // height, width
};

// GET /containers/{id}/top: ps's columns and one row per process.
struct TopResult {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};

// One sample of a container's cgroup, plus the host numbers Docker's
// stats JSON puts beside it.
struct StatsSample {
  std::string read;  // RFC 3339, kZeroTime when the container is not running
  cgroups::Stats cgroup;
  uint64_t system_cpu_ns = 0;  // all CPUs' time since boot
  uint32_t online_cpus = 0;
  uint64_t host_memory = 0;  // the limit shown when the cgroup has none
};

// What archive GET/HEAD report about a path (X-Docker-Container-Path-Stat).
struct PathStat {
  std::string name;
  int64_t size = 0;
  uint32_t mode = 0;  // Go's os.FileMode bits
  std::string mtime;  // RFC 3339
  std::string link_target;
};

struct ChangeItem {
  std::string path;
  int kind = 0;  // 0 modified, 1 added, 2 deleted
};

struct PruneResult {
  std::vector<std::string> deleted;
  uint64_t space_reclaimed = 0;
};

class ImageService;

// POST /commit's query and body.
struct CommitParams {
  std::string repo, tag, comment, author;
  bool pause = true;  // freeze a running container while its diff is taken
  std::vector<std::string> changes;  // Dockerfile-style, as for import
  std::string config;  // the body: a Config whose set fields override the container's
};

class ContainerOperations {
 public:
  virtual ~ContainerOperations() = default;

  virtual Result<std::string> exec_create(const std::string& ref, std::string_view body) = 0;
  virtual Result<ExecInfo> exec_inspect(const std::string& exec_id) = 0;
  // Starts the process. Attached: the returned socket carries its output
  // (stdcopy frames without a TTY) and takes its stdin. When the process
  // cannot start, the error says why and the exec's exit code is 126/127.
  virtual Result<UniqueFd> exec_start(const std::string& exec_id, const ExecStart& start) = 0;
  virtual Result<> exec_resize(const std::string& exec_id, int height, int width) = 0;

  virtual Result<TopResult> top(const std::string& ref, const std::string& ps_args) = 0;
  virtual Result<StatsSample> stats(const std::string& ref) = 0;
  virtual Result<> pause(const std::string& ref) = 0;
  virtual Result<> unpause(const std::string& ref) = 0;
  virtual Result<> rename(const std::string& ref, const std::string& new_name) = 0;

  // The container's files (container_archive.cpp). Paths are resolved in
  // the rootfs (openat2 RESOLVE_IN_ROOT): ".." and symlinks stay inside.
  // The last component is not followed unless the path ends in "/" or "/.".
  virtual Result<PathStat> archive_stat(const std::string& ref, const std::string& path) = 0;
  // Writes a tar of `path` (entries named from its base name) to out_fd.
  virtual Result<> archive_get(const std::string& ref, const std::string& path, int out_fd) = 0;
  // Extracts the tar read from in_fd into the directory `path`.
  virtual Result<> archive_put(const std::string& ref, const std::string& path, int in_fd,
                               bool no_overwrite_dir_non_dir) = 0;
  virtual Result<> export_rootfs(const std::string& ref, int out_fd) = 0;
  virtual Result<std::vector<ChangeItem>> changes(const std::string& ref) = 0;

  // POST /containers/{id}/update (resources, live when running, and the
  // restart policy); returns dockerd's warnings.
  virtual Result<std::vector<std::string>> update(const std::string& ref, std::string_view body) = 0;
  // Removes every stopped container the filters (label, until) select.
  virtual Result<PruneResult> prune(const Filters& filters) = 0;
  // POST /commit: the container's changes as a new image of `images`
  // (container_commit.cpp); returns the image ID.
  virtual Result<std::string> commit(const std::string& ref, const CommitParams& params, ImageService& images) = 0;
};

}  // namespace berth::engine
