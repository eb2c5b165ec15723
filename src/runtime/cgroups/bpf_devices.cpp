#include "runtime/cgroups/bpf_devices.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace berth::cgroups {

namespace {

// Registers by role (r1 holds the context on entry).
constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn load_word(uint8_t dst, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0);
}
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// A block of one exception; jumps to "next" are patched once its length is
// known (jump offsets count from the instruction after the jump).
class BlockBuilder {
 public:
  void jump_next_if(uint8_t op, uint8_t reg, int32_t imm) {
    jumps_.push_back(code_.size());
    code_.push_back(insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
  }
  void emit(bpf_insn i) { code_.push_back(i); }
  void finish_into(std::vector<bpf_insn>& out) {
    for (size_t j : jumps_) code_[j].off = static_cast<int16_t>(code_.size() - j - 1);
    out.insert(out.end(), code_.begin(), code_.end());
  }

 private:
  std::vector<bpf_insn> code_;
  std::vector<size_t> jumps_;
};

void emit_exception(std::vector<bpf_insn>& out, const NormalRule& e, bool default_allow) {
  BlockBuilder b;
  b.jump_next_if(BPF_JNE, R2, e.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (!default_allow && e.access != kAccessAll) {
    // Allow-list entry: every requested bit must be in e.access.
    b.emit(mov32_reg(R1, R3));
    b.emit(alu32_imm(BPF_AND, R1, static_cast<int32_t>(~e.access & kAccessAll)));
    b.jump_next_if(BPF_JNE, R1, 0);
  } else if (default_allow && e.access != kAccessAll) {
    // Deny-list entry: any requested bit in e.access refuses.
    b.emit(mov32_reg(R1, R3));
    b.emit(alu32_imm(BPF_AND, R1, static_cast<int32_t>(e.access)));
    b.jump_next_if(BPF_JEQ, R1, 0);
  }
  if (e.major >= 0) b.jump_next_if(BPF_JNE, R4, static_cast<int32_t>(e.major));
  if (e.minor >= 0) b.jump_next_if(BPF_JNE, R5, static_cast<int32_t>(e.minor));
  b.emit(alu32_imm(BPF_MOV, R0, default_allow ? 0 : 1));
  b.emit(exit_insn());
  b.finish_into(out);
}

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

}  // namespace

std::vector<bpf_insn> device_program(const DeviceState& state) {
  std::vector<bpf_insn> out = {
      load_word(R2, 0), alu32_imm(BPF_AND, R2, 0xffff),  // device type
      load_word(R3, 0), alu32_imm(BPF_RSH, R3, 16),      // requested access
      load_word(R4, 4),                                   // major
      load_word(R5, 8),                                   // minor
  };
  for (const auto& e : state.exceptions) emit_exception(out, e, state.default_allow);
  out.push_back(alu32_imm(BPF_MOV, R0, state.default_allow ? 1 : 0));
  out.push_back(exit_insn());
  return out;
}

Result<UniqueFd> load_device_program(const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "Apache-2.0";
  auto load = [&](char* log, uint32_t log_size) {
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uintptr_t>(program.data());
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.license = reinterpret_cast<uintptr_t>(kLicense);
    attr.log_buf = reinterpret_cast<uintptr_t>(log);
    attr.log_size = log_size;
    attr.log_level = log ? 1 : 0;
    return static_cast<int>(bpf(BPF_PROG_LOAD, attr));
  };
  int fd = load(nullptr, 0);
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  if (err != EINVAL && err != EACCES) return sys_error("load device filter program", err);
  // Only a refusal pays for the verifier log.
  std::string log(64 * 1024, '\0');
  fd = load(log.data(), static_cast<uint32_t>(log.size()));
  if (fd >= 0) return UniqueFd(fd);
  log.resize(std::strlen(log.c_str()));
  return sys_error("load device filter program (verifier: " + log + ")", err);
}

Result<std::vector<uint32_t>> attached_device_programs(int cgroup_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (bpf(BPF_PROG_QUERY, attr) < 0) return sys_error("query device filter programs");
  ids.resize(attr.query.prog_cnt);
  return ids;
}

Result<> replace_device_program(int cgroup_fd, int prog_fd) {
  auto old_ids = TRY(attached_device_programs(cgroup_fd));
  bpf_attr attr{};
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) < 0) return sys_error("attach device filter program");
  for (uint32_t id : old_ids) {
    bpf_attr get{};
    get.prog_id = id;
    int old_fd = static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get));
    if (old_fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      return sys_error("open device filter program " + std::to_string(id));
    }
    UniqueFd owned(old_fd);
    bpf_attr detach{};
    detach.target_fd = static_cast<uint32_t>(cgroup_fd);
    detach.attach_bpf_fd = static_cast<uint32_t>(old_fd);
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, detach) < 0 && errno != ENOENT)
      return sys_error("detach device filter program " + std::to_string(id));
  }
  return ok();
}

}  // namespace berth::cgroups
