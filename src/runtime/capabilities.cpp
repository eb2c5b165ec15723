#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <set>

#include "base/log.hpp"
#include "runtime/security.hpp"

namespace berth::runtime {
namespace {

int last_cap() {
  int last = static_cast<int>(cap_max_bits()) - 1;
  return last > 0 ? last : CAP_LAST_CAP;
}

// Names unknown to this kernel or libcap are skipped with a warning, as
// runc does, so a newer config still starts on an older kernel.
std::vector<cap_value_t> to_values(const std::vector<std::string>& names) {
  std::vector<cap_value_t> out;
  for (const auto& name : names) {
    cap_value_t v;
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(::tolower(c));
    // Compared with libcap's cached count of the kernel's capabilities:
    // CAP_IS_SUPPORTED asks the kernel once per name (prctl), and this
    // runs five times per container start.
    if (cap_from_name(lower.c_str(), &v) != 0 || v > last_cap()) {
      log::warn("capability not supported by this kernel", {{"name", name}});
      continue;
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

Result<> drop_bounding(const oci::Capabilities& caps) {
  auto keep = to_values(caps.bounding);
  std::set<cap_value_t> keep_set(keep.begin(), keep.end());
  for (int cap = 0; cap <= last_cap(); ++cap) {
    if (keep_set.count(cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return sys_error("drop bounding capability " + std::to_string(cap));
  }
  return ok();
}

Result<> apply_capabilities(const oci::Capabilities& caps) {
  cap_t state = cap_init();
  if (state == nullptr) return sys_error("cap_init");
  auto set = [&](const std::vector<std::string>& names, cap_flag_t flag) {
    auto values = to_values(names);
    if (!values.empty()) cap_set_flag(state, flag, static_cast<int>(values.size()), values.data(), CAP_SET);
  };
  set(caps.effective, CAP_EFFECTIVE);
  set(caps.permitted, CAP_PERMITTED);
  set(caps.inheritable, CAP_INHERITABLE);
  int rc = cap_set_proc(state);
  int err = errno;
  cap_free(state);
  if (rc != 0) return sys_error("set capabilities", err);
  // One prctl; libcap's cap_reset_ambient first reads every capability's
  // ambient bit, one prctl each (40+ per container start).
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return sys_error("reset ambient capabilities");
  for (cap_value_t v : to_values(caps.ambient)) {
    // Raising needs the capability in both permitted and inheritable;
    // runc's default config lists ambient ones without inheritable, and
    // runc ignores that failure, so do we.
    if (cap_set_ambient(v, CAP_SET) != 0) log::debug("ambient capability not raised", {{"cap", v}});
  }
  return ok();
}

}  // namespace berth::runtime
