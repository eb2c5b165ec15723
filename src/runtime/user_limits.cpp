#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <map>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "runtime/security.hpp"

namespace berth::runtime {
namespace {

int rlimit_resource(const std::string& name) {
  static const std::map<std::string, int> table = {
      {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK}};
  auto it = table.find(name);
  return it == table.end() ? -1 : it->second;
}

}  // namespace

Result<> apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    int res = rlimit_resource(r.type);
    if (res < 0) return make_error(ErrorCategory::InvalidArgument, "unknown rlimit " + r.type);
    rlimit want{r.soft, r.hard};
    if (::setrlimit(res, &want) == 0) continue;
    if (errno != EPERM) return sys_error("setrlimit " + r.type);
    rlimit held{};
    ::getrlimit(res, &held);
    rlimit clamped{std::min<rlim_t>(r.soft, held.rlim_max), std::min<rlim_t>(r.hard, held.rlim_max)};
    log::warn("rlimit clamped to the hard limit the runtime holds",
              {{"type", r.type}, {"wanted", std::to_string(r.hard)}, {"got", std::to_string(clamped.rlim_max)}});
    if (::setrlimit(res, &clamped) != 0) return sys_error("setrlimit " + r.type);
  }
  return ok();
}

Result<> apply_oom_score_adj(std::optional<int32_t> value) {
  if (!value) return ok();
  auto wrote = write_knob("/proc/self/oom_score_adj", std::to_string(*value));
  if (wrote) return ok();
  if (wrote.error().sys_errno() != EACCES && wrote.error().sys_errno() != EPERM)
    return tl::unexpected(std::move(wrote).error().wrap("oom_score_adj"));
  // Lowering it needs CAP_SYS_RESOURCE; keep what we have, as for rlimits.
  auto current = read_file("/proc/self/oom_score_adj");
  log::warn("oom_score_adj clamped to the runtime's own",
            {{"wanted", *value}, {"got", current ? std::string(trim(*current)) : "?"}});
  return ok();
}

Result<> switch_user(const oci::User& user, bool can_setgroups) {
  if (can_setgroups) {
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    if (::setgroups(groups.size(), groups.data()) != 0) return sys_error("setgroups");
  }
  // Keep the permitted set across the uid change; the configured
  // capabilities are applied right after.
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return sys_error("PR_SET_KEEPCAPS");
  if (::setresgid(user.gid, user.gid, user.gid) != 0) return sys_error("setresgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0) return sys_error("setresuid " + std::to_string(user.uid));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return sys_error("clear PR_SET_KEEPCAPS");
  return ok();
}

}  // namespace berth::runtime
