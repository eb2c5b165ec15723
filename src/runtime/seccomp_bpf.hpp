// The -ENOSYS stub that runc puts in front of a seccomp filter, and the
// load of the combined program (see seccomp_bpf.cpp).
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <cstdint>
#include <map>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::runtime {

// AUDIT_ARCH_* -> the largest syscall number the profile names on it.
using LastSyscalls = std::map<uint32_t, uint32_t>;

// Whether the profile needs the stub: its default action denies, and not
// already with ENOSYS. Permissive defaults (allow, log, trace) never do.
bool needs_enosys_stub(const oci::Seccomp& seccomp);
// The largest syscall the profile names, per architecture in `arch_tokens`
// (libseccomp tokens; x32 shares x86_64's audit arch and is left out).
LastSyscalls last_syscalls(const oci::Seccomp& seccomp, const std::vector<uint32_t>& arch_tokens);
// cBPF that returns ERRNO(ENOSYS) for a syscall above the last one named
// for its architecture and falls through to what follows otherwise.
std::vector<sock_filter> enosys_stub(const LastSyscalls& last);
// Exports ctx's program, prepends `stub` and loads it with seccomp(2)
// (`flags` = SECCOMP_FILTER_FLAG_*). Returns the listener fd when flags ask
// for one.
Result<UniqueFd> load_with_stub(scmp_filter_ctx ctx, const std::vector<sock_filter>& stub, unsigned flags);

}  // namespace berth::runtime
