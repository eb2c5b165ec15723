#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <map>

#include "runtime/seccomp_bpf.hpp"
#include "runtime/security.hpp"

namespace berth::runtime {
namespace {

Result<uint32_t> action(const std::string& name, std::optional<uint32_t> errno_ret) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return make_error(ErrorCategory::InvalidArgument, "seccomp: unsupported action " + name);
}

Result<scmp_compare> compare_op(const std::string& op) {
  static const std::map<std::string, scmp_compare> ops = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = ops.find(op);
  if (it == ops.end()) return make_error(ErrorCategory::InvalidArgument, "seccomp: unknown operator " + op);
  return it->second;
}

Result<uint32_t> arch(const std::string& name) {
  std::string lower = name.starts_with("SCMP_ARCH_") ? name.substr(10) : name;
  for (auto& c : lower) c = static_cast<char>(::tolower(c));
  uint32_t token = seccomp_arch_resolve_name(lower.c_str());
  if (token == 0) return make_error(ErrorCategory::InvalidArgument, "seccomp: unknown architecture " + name);
  return token;
}

Result<> add_rule(scmp_filter_ctx ctx, const oci::SeccompSyscall& rule, uint32_t default_action) {
  uint32_t act = TRY(action(rule.action, rule.errno_ret));
  // The runtime itself writes to the sync socket after loading the filter
  // and would wait on its own agent hand-over.
  if (act == SCMP_ACT_NOTIFY && std::find(rule.names.begin(), rule.names.end(), "write") != rule.names.end())
    return make_error(ErrorCategory::InvalidArgument, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
  if (act == default_action) return ok();  // libseccomp rejects redundant rules
  std::vector<scmp_arg_cmp> args;
  for (const auto& a : rule.args)
    args.push_back(scmp_arg_cmp{a.index, TRY(compare_op(a.op)), a.value, a.value_two});
  // libseccomp takes one comparison per argument in a rule. Several on the
  // same argument mean "any of them" (as runc reads them): one rule each.
  bool same_arg_twice = false;
  for (size_t i = 0; i < args.size(); ++i)
    for (size_t j = i + 1; j < args.size(); ++j) same_arg_twice |= args[i].arg == args[j].arg;
  for (const auto& name : rule.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this arch
    if (same_arg_twice) {
      for (const auto& cmp : args)
        if (int rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp); rc != 0)
          return sys_error("seccomp rule for " + name, -rc);
      continue;
    }
    int rc = seccomp_rule_add_array(ctx, act, nr, static_cast<unsigned>(args.size()), args.data());
    if (rc != 0) return sys_error("seccomp rule for " + name, -rc);
  }
  return ok();
}

bool uses_notify(const oci::Seccomp& seccomp) {
  if (seccomp.default_action == "SCMP_ACT_NOTIFY") return true;
  for (const auto& rule : seccomp.syscalls)
    if (rule.action == "SCMP_ACT_NOTIFY") return true;
  return false;
}

}  // namespace

Result<UniqueFd> load_seccomp(const oci::Seccomp& seccomp) {
  uint32_t default_action = TRY(action(seccomp.default_action, seccomp.default_errno_ret));
  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (ctx == nullptr) return make_error(ErrorCategory::Internal, "seccomp_init failed");
  struct Release {
    scmp_filter_ctx c;
    ~Release() { seccomp_release(c); }
  } release{ctx};
  std::vector<uint32_t> arches{seccomp_arch_native()};
  for (const auto& a : seccomp.architectures) {
    uint32_t token = TRY(arch(a));
    int rc = seccomp_arch_add(ctx, token);
    if (rc != 0 && rc != -EEXIST) return sys_error("seccomp architecture " + a, -rc);
    arches.push_back(token);
  }
  unsigned flags = 0;
  for (const auto& flag : seccomp.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG") flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  }
  if (uses_notify(seccomp)) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  for (const auto& rule : seccomp.syscalls) TRY(add_rule(ctx, rule, default_action));
  // We set no_new_privs ourselves when the config asks for it, and load
  // the program ourselves: libseccomp's, behind runc's -ENOSYS stub.
  std::vector<sock_filter> stub;
  if (needs_enosys_stub(seccomp)) stub = enosys_stub(last_syscalls(seccomp, arches));
  return load_with_stub(ctx, stub, flags);
}

}  // namespace berth::runtime
