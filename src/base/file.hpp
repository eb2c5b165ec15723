// Whole-file helpers. Writers are atomic: a temp file in the same directory,
// fsync'd, then renamed over the target, so a reader (or a crash) sees
// either the old content or the new, never half of it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth {

// Opens with O_CLOEXEC always added.
Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode = 0);
Result<UniqueFd> open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);

Result<std::string> read_fd(int fd, size_t limit = 64u << 20);
Result<std::string> read_file(const std::string& path, size_t limit = 64u << 20);
Result<std::string> read_file_at(int dirfd, const std::string& name, size_t limit = 64u << 20);

Result<> write_all(int fd, std::string_view data);

// Whether an atomic write also survives a power loss. `synced` fsyncs the
// temp file before the rename; `unsynced` gives only atomicity (readers see
// the old or the new content, never a mix), for records whose writer is
// on a latency-critical path and which are rebuilt if lost.
enum class Durability { synced, unsynced };

// Atomic replace of `name` inside directory `dirfd`.
Result<> write_file_atomic_at(int dirfd, const std::string& name, std::string_view data,
                              mode_t mode = 0644, Durability durability = Durability::synced);
Result<> write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);

// For sysfs/procfs/cgroupfs knobs: open O_WRONLY|O_TRUNC and one write().
Result<> write_knob(const std::string& path, std::string_view value);
Result<> write_knob_at(int dirfd, const std::string& name, std::string_view value);

// mkdir -p with `mode` for created components.
Result<> make_dirs(const std::string& path, mode_t mode = 0755);

}  // namespace berth
