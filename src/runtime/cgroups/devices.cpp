#include "runtime/cgroups/devices.hpp"

#include <algorithm>

namespace berth::cgroups {

namespace {

Result<uint32_t> parse_access(const std::string& access) {
  if (access.empty()) return kAccessAll;
  uint32_t bits = 0;
  for (char c : access) {
    switch (c) {
      case 'r': bits |= kAccessRead; break;
      case 'w': bits |= kAccessWrite; break;
      case 'm': bits |= kAccessMknod; break;
      default:
        return make_error(ErrorCategory::InvalidArgument,
                          "device rule: invalid access \"" + access + "\"");
    }
  }
  return bits;
}

std::string access_string(uint32_t bits) {
  std::string out;
  if (bits & kAccessRead) out += 'r';
  if (bits & kAccessWrite) out += 'w';
  if (bits & kAccessMknod) out += 'm';
  return out;
}

bool same_device(const NormalRule& a, const NormalRule& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

}  // namespace

Result<std::vector<NormalRule>> normalize_rules(const std::vector<DeviceRule>& rules) {
  std::vector<NormalRule> out;
  for (const auto& r : rules) {
    if (r.type != 'a' && r.type != 'c' && r.type != 'b')
      return make_error(ErrorCategory::InvalidArgument,
                        std::string("device rule: invalid type '") + r.type + "'");
    // Majors and minors go into BPF immediates (signed 32-bit).
    if (r.major < -1 || r.minor < -1 || r.major > INT32_MAX || r.minor > INT32_MAX)
      return make_error(ErrorCategory::InvalidArgument, "device rule: invalid major/minor");
    NormalRule n;
    n.allow = r.allow;
    n.major = r.major;
    n.minor = r.minor;
    n.access = TRY(parse_access(r.access));
    if (r.type == 'a' && r.major == -1 && r.minor == -1 && n.access == kAccessAll) {
      n.reset = true;
      n.type = 'a';
      out.push_back(n);
      continue;
    }
    if (r.type == 'a') {
      n.type = 'c';
      out.push_back(n);
      n.type = 'b';
      out.push_back(n);
      continue;
    }
    n.type = r.type;
    out.push_back(n);
  }
  return out;
}

std::string v1_rule_line(const NormalRule& rule) {
  if (rule.reset) return "a";
  auto num = [](int64_t v) { return v < 0 ? std::string("*") : std::to_string(v); };
  return std::string(1, rule.type) + " " + num(rule.major) + ":" + num(rule.minor) + " " +
         access_string(rule.access);
}

// Mirrors the kernel's devcgroup_update_access: a reset sets the default
// and clears the exceptions; a rule that agrees with the default removes
// its access bits from the identical exception; one that disagrees adds an
// exception (merging with an identical one).
DeviceState emulate(const std::vector<NormalRule>& rules) {
  DeviceState state;
  for (const auto& rule : rules) {
    if (rule.reset) {
      state.default_allow = rule.allow;
      state.exceptions.clear();
      continue;
    }
    auto same = std::find_if(state.exceptions.begin(), state.exceptions.end(),
                             [&](const NormalRule& e) { return same_device(e, rule); });
    if (rule.allow == state.default_allow) {
      if (same == state.exceptions.end()) continue;
      same->access &= ~rule.access;
      if (same->access == 0) state.exceptions.erase(same);
      continue;
    }
    if (same != state.exceptions.end()) {
      same->access |= rule.access;
      continue;
    }
    NormalRule e = rule;
    e.allow = !state.default_allow;
    state.exceptions.push_back(e);
  }
  return state;
}

bool state_allows(const DeviceState& state, char type, uint32_t major, uint32_t minor,
                  uint32_t access) {
  for (const auto& e : state.exceptions) {
    if (e.type != type) continue;
    if (e.major >= 0 && static_cast<uint32_t>(e.major) != major) continue;
    if (e.minor >= 0 && static_cast<uint32_t>(e.minor) != minor) continue;
    // Allow-list: the exception must cover every requested bit. Deny-list:
    // touching any denied bit is refused (the kernel's partial match).
    if (state.default_allow) {
      if (access & e.access) return false;
    } else if ((access & ~e.access) == 0) {
      return true;
    }
  }
  return state.default_allow;
}

}  // namespace berth::cgroups
