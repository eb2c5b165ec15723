// Small helpers shared by the v1 and v2 managers: lexical path cleaning,
// one-shot knob reads and writes, the kernel's keyed file formats, and
// brief polling without fixed sleeps.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::cgroups {

// Lexically cleans `path` as if it were rooted, so ".." can never climb
// above the start: "/a/../../b" -> "/b", "../x" -> "x", "a//b/" -> "a/b".
// Absolute stays absolute, relative stays relative; "" and "/" stay.
std::string clean_path(std::string_view path);
// Joins with exactly one '/', `rel` may start with '/'.
std::string join_path(std::string_view base, std::string_view rel);
std::string parent_path(std::string_view path);

// Test seam: when set, sees every knob write (full path, value) in order,
// so golden tests can check ordering, not just final file contents.
using WriteObserver = void (*)(void* context, const std::string& path, std::string_view value);
void set_write_observer(WriteObserver observer, void* context);

// One open + write + close; errors name the full path.
Result<> write_value(const std::string& dir, const std::string& name, std::string_view value);
Result<std::string> read_value(const std::string& dir, const std::string& name);  // trimmed
// "max" reads as UINT64_MAX, the way runc reports unlimited.
Result<uint64_t> read_u64(const std::string& dir, const std::string& name);
bool has_file(const std::string& dir, const std::string& name);

// "key value" lines (memory.stat, cpu.stat, cgroup.events).
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);
// "key k1=v1 k2=v2" lines (io.stat).
struct NestedKeyed {
  std::string key;
  std::map<std::string, uint64_t> values;
};
std::vector<NestedKeyed> parse_nested_keyed(std::string_view text);
// cgroup.procs: one pid per line.
std::vector<pid_t> parse_pid_list(std::string_view text);
// The page sizes of the files "hugetlb.<size><suffix>" in `dir`.
std::vector<std::string> hugepage_sizes(const std::string& dir, std::string_view suffix);
// Values like "2MB", "1GB", "64KB" -> bytes; 0 if malformed.
uint64_t parse_page_size(std::string_view size);

// mkdir -p; returns the directories it created, outermost first, so a
// caller can roll back exactly what it made.
Result<std::vector<std::string>> make_dirs_tracked(const std::string& path);
// rmdir `path` and every group below it (deepest first). EBUSY is retried
// with a short escalating wait until `budget` runs out: the kernel frees a
// group a moment after its last task is reaped. A missing dir is fine.
Result<> remove_tree(const std::string& path, std::chrono::microseconds budget);
// Every pid in `dir` and the groups below it.
Result<std::vector<pid_t>> collect_pids(const std::string& dir);

// Escalating waits (50us, 100us, ... capped at 5ms) until a deadline:
// short operations finish after a few microseconds of waiting, long ones
// do not spin.
class Backoff {
 public:
  explicit Backoff(std::chrono::microseconds budget);
  // Sleeps for the next interval; false once the budget is spent.
  bool wait();

 private:
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::microseconds step_{50};
};

}  // namespace berth::cgroups
