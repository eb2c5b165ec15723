// Fuzz target: the mount parsers of container create (-v bind specs,
// --tmpfs options, HostConfig.Mounts objects, a whole HostConfig). None may
// crash; what parses must be absolute and clean, and must survive the
// mounts.json round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/mount_spec.hpp"

namespace {

using berth::engine::MountPoint;

void check(const MountPoint& m) {
  if (m.destination.empty() || m.destination[0] != '/' || m.destination == "/") __builtin_trap();
  if (berth::engine::clean_path(m.destination) != m.destination) __builtin_trap();
  if (m.type == "bind" && (m.source.empty() || m.source[0] != '/')) __builtin_trap();
  auto back = berth::engine::mounts_from_json(berth::engine::mounts_to_json({m}));
  if (!back || back->size() != 1) __builtin_trap();
  const auto& b = (*back)[0];
  if (b.type != m.type || b.source != m.source || b.destination != m.destination || b.mode != m.mode ||
      b.rw != m.rw || b.tmpfs_options != m.tmpfs_options || b.name != m.name)
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto exists = [](const std::string& p) { return p.size() % 2 == 0; };
  if (auto m = berth::engine::parse_bind_spec(in)) check(*m);
  auto [dst, opts] = [&] {
    auto colon = in.find(':');
    return colon == std::string_view::npos ? std::pair(in, std::string_view())
                                           : std::pair(in.substr(0, colon), in.substr(colon + 1));
  }();
  if (auto m = berth::engine::parse_tmpfs(dst, opts)) check(*m);
  if (auto m = berth::engine::parse_mount_json(in, exists)) check(*m);
  if (auto all = berth::engine::container_mounts(in, {"/data", "rel", "/"}, exists))
    for (const auto& m : *all) check(m);
  (void)berth::engine::validate_volume_name(in);
  return 0;
}
