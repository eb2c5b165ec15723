// Fuzzes what the cgroup code reads from the kernel or from a config:
// keyed stat files, pid lists, page sizes, cgroupsPath cleaning (which
// must never leave a ".." component and must be idempotent), and device
// rule lists (normalise, emulate, generate the BPF program).
#include <cstdint>
#include <string_view>

#include "base/strings.hpp"
#include "runtime/cgroups/bpf_devices.hpp"
#include "runtime/cgroups/devices.hpp"
#include "runtime/cgroups/util.hpp"

namespace {

using namespace berth::cgroups;

void check_clean(std::string_view input) {
  auto cleaned = clean_path(input);
  for (const auto& part : berth::split(cleaned, '/')) {
    if (part == ".." || part == ".") __builtin_trap();
  }
  if (clean_path(cleaned) != cleaned) __builtin_trap();
}

// Each 4 bytes make one rule: allow, type, major, minor/access.
void check_devices(std::string_view input) {
  std::vector<berth::cgroups::DeviceRule> rules;
  static const char kTypes[] = {'a', 'c', 'b', 'x'};
  static const char* const kAccess[] = {"", "r", "w", "m", "rw", "rwm", "mr", "q"};
  for (size_t i = 0; i + 4 <= input.size() && rules.size() < 64; i += 4) {
    auto b = [&](size_t k) { return static_cast<uint8_t>(input[i + k]); };
    DeviceRule r;
    r.allow = b(0) & 1;
    r.type = kTypes[(b(0) >> 1) & 3];
    r.major = b(1) == 255 ? -1 : b(1) % 16;
    r.minor = (b(2) & 0x80) ? -1 : b(2) % 16;
    r.access = kAccess[b(3) & 7];
    rules.push_back(r);
  }
  auto normal = normalize_rules(rules);
  if (!normal) return;
  auto state = emulate(*normal);
  for (const auto& e : state.exceptions) {
    if (e.reset || e.allow == state.default_allow || e.access == 0) __builtin_trap();
  }
  auto program = device_program(state);
  if (program.size() > 6 + 9 * state.exceptions.size() + 2) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)parse_flat_keyed(input);
  (void)parse_nested_keyed(input);
  (void)parse_pid_list(input);
  (void)parse_page_size(input);
  check_clean(input);
  check_devices(input);
  return 0;
}
