// The v2 devices controller: a BPF_PROG_TYPE_CGROUP_DEVICE program,
// assembled here from the emulated rule state (no libbpf, no compiler), and
// attached to the container's group with BPF_CGROUP_DEVICE.
//
// The program reads struct bpf_cgroup_dev_ctx {u32 access_type (type in
// the low 16 bits, access in the high 16), u32 major, u32 minor} and
// returns 1 to allow, 0 to refuse (the access then fails with EPERM).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "runtime/cgroups/devices.hpp"

namespace berth::cgroups {

std::vector<bpf_insn> device_program(const DeviceState& state);

// BPF_PROG_LOAD; on a verifier refusal the error carries the verifier log.
Result<UniqueFd> load_device_program(const std::vector<bpf_insn>& program);

// Attaches `prog_fd` to the group (BPF_F_ALLOW_MULTI) and then detaches
// every program that was there before, so an update never leaves a window
// with no filter (during the swap both apply, which only narrows access).
Result<> replace_device_program(int cgroup_fd, int prog_fd);

// Ids of the device programs attached to the group itself.
Result<std::vector<uint32_t>> attached_device_programs(int cgroup_fd);

}  // namespace berth::cgroups
