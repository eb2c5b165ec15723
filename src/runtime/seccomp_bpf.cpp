// runc's -ENOSYS handling: a profile written for an older kernel denies
// the syscalls it does not name with its default action (usually EPERM),
// and so also every syscall added to the kernel since. Programs (glibc
// first) probe a new syscall and fall back to an old one on ENOSYS, never
// on EPERM, so runc answers ENOSYS for any syscall numbered above the
// last one the profile names on that architecture. libseccomp cannot
// express a range, so, as runc does, we export its program, put a small
// stub in front and load the result with seccomp(2) ourselves.
#include "runtime/seccomp_bpf.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>

#include "base/file.hpp"

namespace berth::runtime {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;  // x32 syscalls on x86_64's audit arch

sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jump(uint16_t code, uint32_t k, size_t at, size_t yes, size_t no) {
  // Conditional jumps are relative to the next instruction, 8 bits each;
  // the stub is a few instructions per architecture, so they fit.
  return sock_filter{code, static_cast<uint8_t>(yes - at - 1), static_cast<uint8_t>(no - at - 1), k};
}

}  // namespace

bool needs_enosys_stub(const oci::Seccomp& s) {
  const auto& a = s.default_action;
  if (a == "SCMP_ACT_ALLOW" || a == "SCMP_ACT_LOG" || a == "SCMP_ACT_TRACE") return false;
  return !(a == "SCMP_ACT_ERRNO" && s.default_errno_ret == static_cast<uint32_t>(ENOSYS));
}

LastSyscalls last_syscalls(const oci::Seccomp& s, const std::vector<uint32_t>& arch_tokens) {
  LastSyscalls out;
  for (uint32_t token : arch_tokens) {
    if (token == SCMP_ARCH_X32) continue;
    uint32_t last = 0;
    for (const auto& rule : s.syscalls)
      for (const auto& name : rule.names) {
        int nr = seccomp_syscall_resolve_name_arch(token, name.c_str());
        if (nr >= 0) last = std::max(last, static_cast<uint32_t>(nr));
      }
    if (last != 0) out[token] = last;  // libseccomp tokens are AUDIT_ARCH_* values
  }
  return out;
}

std::vector<sock_filter> enosys_stub(const LastSyscalls& last) {
  if (last.empty()) return {};
  // Layout: ld arch; per arch [jeq arch; ld nr; (jset x32 ->main;) jgt
  // last ->enosys ->main]; ja main; enosys: ret ERRNO(ENOSYS); main: ...
  size_t size = 1;
  for (const auto& [arch, nr] : last) size += arch == AUDIT_ARCH_X86_64 ? 4 : 3;
  const size_t enosys = size + 1, main = size + 2;
  std::vector<sock_filter> p;
  p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  for (const auto& [arch, nr] : last) {
    size_t block = arch == AUDIT_ARCH_X86_64 ? 4 : 3;
    size_t at = p.size();
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, arch, at, at + 1, at + block));
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    if (arch == AUDIT_ARCH_X86_64) p.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, p.size(), main, p.size() + 1));
    p.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, nr, p.size(), enosys, main));
  }
  p.push_back(stmt(BPF_JMP | BPF_JA, 1));  // an architecture not listed: the filter decides
  p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
  return p;
}

namespace {

// libseccomp's program, through a memfd that is closed again before the
// filter is loaded: a close after it could be a notified syscall, and the
// listener is not handed over yet.
Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx, const std::vector<sock_filter>& stub) {
  UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "berth-seccomp", MFD_CLOEXEC)));
  if (!mem) return sys_error("memfd for the seccomp program");
  if (int rc = seccomp_export_bpf(ctx, mem.get()); rc != 0) return sys_error("export seccomp program", -rc);
  if (::lseek(mem.get(), 0, SEEK_SET) < 0) return sys_error("rewind seccomp program");
  auto raw = TRY(read_fd(mem.get(), BPF_MAXINSNS * sizeof(sock_filter) + 1));
  if (raw.size() % sizeof(sock_filter) != 0) return make_error(ErrorCategory::Internal, "seccomp program of odd size");
  std::vector<sock_filter> program = stub;
  size_t at = program.size();
  program.resize(at + raw.size() / sizeof(sock_filter));
  std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(program.data() + at));
  return program;
}

}  // namespace

Result<UniqueFd> load_with_stub(scmp_filter_ctx ctx, const std::vector<sock_filter>& stub, unsigned flags) {
  auto program = TRY(export_program(ctx, stub));
  if (program.size() > BPF_MAXINSNS)
    return make_error(ErrorCategory::InvalidArgument, "seccomp program too long (" + std::to_string(program.size()) + " instructions)");
  sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (rc < 0) return sys_error("load seccomp filter");
  if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) return UniqueFd(static_cast<int>(rc));
  return UniqueFd{};
}

}  // namespace berth::runtime
