// Device rules: normalisation, the v1 emulator, and the generated BPF
// program, which is run here by a small interpreter of the instructions
// the generator emits and must agree with the emulator on every access.
#include <gtest/gtest.h>

#include <string>

#include "runtime/cgroups/bpf_devices.hpp"
#include "runtime/cgroups/devices.hpp"

namespace berth::cgroups::testing {
namespace {

// Runs `prog` on one bpf_cgroup_dev_ctx; fails the test on anything the
// generator should never emit (unknown opcode, backwards jump, falling off).
int64_t run(const std::vector<bpf_insn>& prog, uint32_t access_type, uint32_t major,
            uint32_t minor) {
  uint32_t ctx[3] = {access_type, major, minor};
  uint64_t reg[11] = {};
  size_t pc = 0;
  for (int steps = 0; steps < 4096 && pc < prog.size(); ++steps) {
    const bpf_insn& i = prog[pc++];
    uint64_t& dst = reg[i.dst_reg];
    auto imm = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(i.src_reg, 1);
        EXPECT_TRUE(i.off == 0 || i.off == 4 || i.off == 8);
        dst = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K: dst = static_cast<uint32_t>(dst & imm); break;
      case BPF_ALU | BPF_RSH | BPF_K: dst = static_cast<uint32_t>(dst) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: dst = static_cast<uint32_t>(reg[i.src_reg]); break;
      case BPF_ALU | BPF_MOV | BPF_K: dst = static_cast<uint32_t>(i.imm); break;
      case BPF_JMP | BPF_JNE | BPF_K:
        EXPECT_GE(i.off, 0);
        if (dst != imm) pc += static_cast<size_t>(i.off);
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        EXPECT_GE(i.off, 0);
        if (dst == imm) pc += static_cast<size_t>(i.off);
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int64_t>(reg[0]);
      default: ADD_FAILURE() << "unexpected opcode " << int(i.code); return -1;
    }
  }
  ADD_FAILURE() << "program fell off its end";
  return -1;
}

// Checks the program against the emulator for every access to a grid of
// devices that covers each rule's major/minor and some others.
void expect_program_matches(const std::vector<DeviceRule>& rules) {
  auto normal = normalize_rules(rules);
  ASSERT_TRUE(normal) << normal.error().to_string();
  auto state = emulate(*normal);
  auto prog = device_program(state);
  std::vector<uint32_t> numbers = {0, 1, 3, 5, 7, 8, 136, 4095};
  for (const auto& r : rules) {
    if (r.major >= 0) numbers.push_back(static_cast<uint32_t>(r.major));
    if (r.minor >= 0) numbers.push_back(static_cast<uint32_t>(r.minor));
  }
  for (char type : {'c', 'b'}) {
    uint32_t bpf_type = type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
    for (uint32_t major : numbers)
      for (uint32_t minor : numbers)
        for (uint32_t access = 1; access <= kAccessAll; ++access) {
          bool want = state_allows(state, type, major, minor, access);
          auto got = run(prog, (access << 16) | bpf_type, major, minor);
          ASSERT_EQ(got, want ? 1 : 0) << type << " " << major << ":" << minor << " access "
                                       << access;
        }
  }
}

// The list Docker sends for a default container.
std::vector<DeviceRule> docker_default() {
  return {{false, 'a', -1, -1, "rwm"}, {true, 'c', -1, -1, "m"},   {true, 'b', -1, -1, "m"},
          {true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 8, "rwm"},   {true, 'c', 1, 7, "rwm"},
          {true, 'c', 5, 0, "rwm"},    {true, 'c', 1, 5, "rwm"},   {true, 'c', 1, 9, "rwm"},
          {true, 'c', 5, 1, "rwm"},    {true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"},
          {true, 'c', 10, 200, "rwm"}, {false, 'c', 10, 229, "rwm"}};
}

TEST(Devices, NormalizeExpandsPartialAllRules) {
  auto n = normalize_rules({{false, 'a', -1, -1, ""}, {true, 'a', 5, 1, "rw"}, {true, 'b', 8, -1, "r"}});
  ASSERT_TRUE(n);
  ASSERT_EQ(n->size(), 4u);
  EXPECT_EQ(v1_rule_line((*n)[0]), "a");
  EXPECT_TRUE((*n)[0].reset);
  EXPECT_EQ(v1_rule_line((*n)[1]), "c 5:1 rw");
  EXPECT_EQ(v1_rule_line((*n)[2]), "b 5:1 rw");
  EXPECT_EQ(v1_rule_line((*n)[3]), "b 8:* r");
  EXPECT_FALSE(normalize_rules({{true, 'c', 1, 1, "rx"}}));
  EXPECT_FALSE(normalize_rules({{true, 'c', 1LL << 40, 1, "r"}}));
  EXPECT_FALSE(normalize_rules({{true, 'c', -2, 1, "r"}}));
}

TEST(Devices, EmulatorFollowsKernelSemantics) {
  auto s = emulate(*normalize_rules(docker_default()));
  EXPECT_FALSE(s.default_allow);
  EXPECT_TRUE(state_allows(s, 'c', 1, 3, kAccessRead | kAccessWrite));
  EXPECT_TRUE(state_allows(s, 'c', 4, 4, kAccessMknod));  // mknod of any char device
  EXPECT_FALSE(state_allows(s, 'c', 4, 4, kAccessRead));
  EXPECT_FALSE(state_allows(s, 'c', 10, 229, kAccessRead));
  EXPECT_TRUE(state_allows(s, 'c', 136, 7, kAccessWrite));

  // Allow-all, then punch a hole for writes to 1:3.
  auto hole = emulate(*normalize_rules({{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}}));
  EXPECT_TRUE(hole.default_allow);
  EXPECT_TRUE(state_allows(hole, 'c', 1, 3, kAccessRead));
  EXPECT_FALSE(state_allows(hole, 'c', 1, 3, kAccessRead | kAccessWrite));

  // Removing access from an allow entry: the denial takes bits away.
  auto narrowed = emulate(*normalize_rules({{true, 'c', 1, 3, "rwm"}, {false, 'c', 1, 3, "w"}}));
  ASSERT_EQ(narrowed.exceptions.size(), 1u);
  EXPECT_EQ(narrowed.exceptions[0].access, kAccessRead | kAccessMknod);
  auto removed = emulate(*normalize_rules({{true, 'c', 1, 3, "r"}, {false, 'c', 1, 3, "r"}}));
  EXPECT_TRUE(removed.exceptions.empty());
}

TEST(DeviceProgram, AgreesWithTheEmulator) {
  expect_program_matches(docker_default());
  expect_program_matches({});
  expect_program_matches({{true, 'a', -1, -1, "rwm"}});
  expect_program_matches({{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}, {false, 'b', 8, -1, "rwm"}});
  expect_program_matches({{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, -1, "r"}, {true, 'c', -1, 5, "w"},
                          {true, 'a', 7, 7, "m"}});
  expect_program_matches({{true, 'c', 1, 3, "rwm"}, {false, 'c', 1, 3, "w"}});
}

TEST(DeviceProgram, ShapeOfASmallProgram) {
  auto prog = device_program(emulate(*normalize_rules({{false, 'a', -1, -1, "rwm"},
                                                       {true, 'c', 1, 3, "rw"}})));
  // 6 loads/shifts, one block (type, access check, major, minor, return), default.
  ASSERT_EQ(prog.size(), 6u + 8u + 2u);
  EXPECT_EQ(prog[6].code, BPF_JMP | BPF_JNE | BPF_K);
  EXPECT_EQ(prog[6].imm, BPF_DEVCG_DEV_CHAR);
  EXPECT_EQ(prog[6].off, 7);  // to the default block
  EXPECT_EQ(prog.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(prog[prog.size() - 2].imm, 0);  // default: refuse
}

}  // namespace
}  // namespace berth::cgroups::testing
