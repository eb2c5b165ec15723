// Device access rules: the OCI list (applied in order, last word wins) is
// turned into what the kernel understands.
//
// v1 takes the rules as devices.allow/devices.deny writes and keeps its own
// state. v2 has no such file: a BPF_PROG_TYPE_CGROUP_DEVICE program decides
// each access. To make both behave the same, the list is first run through
// an emulator of the v1 semantics (a default, allow or deny, plus a list of
// exceptions), and the program is generated from the emulator's result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups {

// Access bits as the kernel's BPF context uses them.
inline constexpr uint32_t kAccessMknod = 1, kAccessRead = 2, kAccessWrite = 4;
inline constexpr uint32_t kAccessAll = kAccessMknod | kAccessRead | kAccessWrite;

// A rule with type 'c' or 'b' (never 'a'), or a reset of the default.
struct NormalRule {
  bool reset = false;  // "a *:* rwm": sets the default, drops exceptions
  bool allow = false;
  char type = 'c';
  int64_t major = -1, minor = -1;  // -1 = any
  uint32_t access = kAccessAll;
};

// Validates and expands the OCI rules: type 'a' with a specific device or
// partial access becomes a 'c' and a 'b' rule (the kernel would read any
// "a ..." line as a full reset), empty access means "rwm".
Result<std::vector<NormalRule>> normalize_rules(const std::vector<DeviceRule>& rules);

// The v1 line for devices.allow / devices.deny: "c 1:3 rwm", "a".
std::string v1_rule_line(const NormalRule& rule);

// The state the v1 kernel would reach from "deny all" after the rules.
struct DeviceState {
  bool default_allow = false;
  std::vector<NormalRule> exceptions;  // all with allow == !default_allow
};
DeviceState emulate(const std::vector<NormalRule>& rules);

// What the state says about one access; the reference the BPF program is
// checked against in tests.
bool state_allows(const DeviceState& state, char type, uint32_t major, uint32_t minor,
                  uint32_t access);

}  // namespace berth::cgroups
