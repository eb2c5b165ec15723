#include <cstdio>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli.hpp"
#include "oci/runtime_codec.hpp"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kUpdateFlags = {
    {{"resources", "r"}, true}, {{"blkio-weight"}, true},       {{"cpu-period"}, true},
    {{"cpu-quota"}, true},      {{"cpu-share"}, true},          {{"cpu-rt-period"}, true},
    {{"cpu-rt-runtime"}, true}, {{"cpuset-cpus"}, true},        {{"cpuset-mems"}, true},
    {{"kernel-memory"}, true},  {{"kernel-memory-tcp"}, true},  {{"memory"}, true},
    {{"memory-reservation"}, true}, {{"memory-swap"}, true},    {{"pids-limit"}, true},
    {{"l3-cache-schema"}, true}, {{"mem-bw-schema"}, true}};

// docker's RAMInBytes: "512", "10k", "64m", "1g" (binary units); -1 stays.
Result<int64_t> parse_bytes(std::string s) {
  if (s == "-1") return -1;
  int64_t mult = 1;
  std::string lower = to_lower(s);
  if (lower.ends_with("b")) lower.pop_back();
  if (!lower.empty()) switch (lower.back()) {
      case 'k': mult = 1LL << 10; break;
      case 'm': mult = 1LL << 20; break;
      case 'g': mult = 1LL << 30; break;
      case 't': mult = 1LL << 40; break;
      default: break;
    }
  if (mult != 1) lower.pop_back();
  return TRY(parse_int<int64_t>(lower)) * mult;
}

Result<oci::Resources> from_flags(const Flags& f) {
  oci::Resources r;
  auto mem = [&]() -> oci::MemoryResources& { if (!r.memory) r.memory.emplace(); return *r.memory; };
  auto cpu = [&]() -> oci::CpuResources& { if (!r.cpu) r.cpu.emplace(); return *r.cpu; };
  if (f.has("memory")) mem().limit = TRY(parse_bytes(f.get("memory")));
  if (f.has("memory-reservation")) mem().reservation = TRY(parse_bytes(f.get("memory-reservation")));
  if (f.has("memory-swap")) mem().swap = TRY(parse_bytes(f.get("memory-swap")));
  if (f.has("kernel-memory")) mem().kernel = TRY(parse_bytes(f.get("kernel-memory")));
  if (f.has("kernel-memory-tcp")) mem().kernel_tcp = TRY(parse_bytes(f.get("kernel-memory-tcp")));
  if (f.has("cpu-period")) cpu().period = TRY(parse_int<uint64_t>(f.get("cpu-period")));
  if (f.has("cpu-quota")) cpu().quota = TRY(parse_int<int64_t>(f.get("cpu-quota")));
  if (f.has("cpu-share")) cpu().shares = TRY(parse_int<uint64_t>(f.get("cpu-share")));
  if (f.has("cpu-rt-period")) cpu().realtime_period = TRY(parse_int<uint64_t>(f.get("cpu-rt-period")));
  if (f.has("cpu-rt-runtime")) cpu().realtime_runtime = TRY(parse_int<int64_t>(f.get("cpu-rt-runtime")));
  if (f.has("cpuset-cpus")) cpu().cpus = f.get("cpuset-cpus");
  if (f.has("cpuset-mems")) cpu().mems = f.get("cpuset-mems");
  if (f.has("pids-limit")) r.pids_limit = TRY(parse_int<int64_t>(f.get("pids-limit")));
  if (f.has("blkio-weight")) {
    r.block_io.emplace();
    r.block_io->weight = TRY(parse_int<uint16_t>(f.get("blkio-weight")));
  }
  return r;
}

}  // namespace

int cmd_update(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, kUpdateFlags);
  if (!f) return fail(g, f.error());
  if (auto r = need_args(*f, 1, "update"); !r) return fail(g, r.error());
  Result<oci::Resources> resources = oci::Resources{};
  if (f->has("resources")) {
    std::string path = f->get("resources");
    auto text = path == "-" ? read_fd(0) : read_file(path);
    if (!text) return fail(g, text.error());
    resources = oci::parse_resources(*text);
  } else {
    resources = from_flags(*f);
  }
  if (!resources) return fail(g, resources.error());
  if (auto r = runtime::update(g.ctx, f->positional[0], *resources); !r) return fail(g, r.error());
  return 0;
}

}  // namespace berth::cli
