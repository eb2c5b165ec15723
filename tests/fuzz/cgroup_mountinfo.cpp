// Fuzzes the parsers of /proc/self/mountinfo and /proc/self/cgroup: any
// input must parse or be skipped, never crash; escapes never grow text.
#include <cstdint>
#include <string_view>

#include "base/strings.hpp"
#include "runtime/cgroups/mounts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto& line : berth::split(input, '\n')) {
    auto entry = berth::cgroups::parse_mountinfo_line(line);
    if (entry && entry->mountpoint.size() > line.size()) __builtin_trap();
  }
  if (berth::cgroups::unescape_mountinfo(input).size() > input.size()) __builtin_trap();
  for (const auto& [key, path] : berth::cgroups::parse_proc_cgroup(input)) {
    if (path.empty()) __builtin_trap();  // empty paths are skipped
    (void)key;
  }
  return 0;
}
