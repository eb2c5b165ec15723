// The persisted record of one container: <root>/<id>/state.json.
//
// It holds what only create knew (bundle, config, init pid and its start
// time, cgroup paths); the status is not stored but derived from the
// kernel by `status()`, so it cannot go stale when a process dies.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"
#include "oci/runtime_state.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kExecFifo = "exec.fifo";

struct Record {
  std::string id;
  std::string bundle;  // absolute
  std::string rootfs;  // absolute
  std::string created;  // RFC 3339, UTC, nanoseconds
  std::string owner;
  pid_t init_pid = 0;
  uint64_t init_start = 0;  // /proc/<pid>/stat start time
  std::map<std::string, std::string> cgroup_paths;
  oci::Spec config;
};

// Container ids: runc's rule, [A-Za-z0-9][A-Za-z0-9_+.-]*, so an id is
// always one safe path component.
Result<> validate_id(const std::string& id);
std::string container_dir(const Context& ctx, const std::string& id);

Result<> save_record(const Context& ctx, const Record& record);
// Atomic (rename) but not fsync'd: for state and pid files.
Result<> write_volatile_file(const std::string& path, std::string_view data, mode_t mode = 0644);
// NotFound "container does not exist" (runc's words) when there is no such container.
Result<Record> load_record(const Context& ctx, const std::string& id);

oci::Status status(const Context& ctx, const Record& record);
bool init_alive(const Record& record);
oci::State to_state(const Context& ctx, const Record& record);

std::string now_rfc3339();

}  // namespace berth::runtime
