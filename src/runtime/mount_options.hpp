// OCI mount options -> mount(2) flags, propagation changes, recursive
// mount_setattr attributes ("rro") and the filesystem data string.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace berth::runtime {

struct MountOptions {
  unsigned long flags = 0;        // MS_* to set
  unsigned long clear = 0;        // MS_* named by their negation ("rw", "dev")
  std::vector<unsigned long> propagation;  // MS_SHARED|MS_REC, ... in order
  uint64_t attr_set = 0;          // MOUNT_ATTR_* applied recursively
  uint64_t attr_clear = 0;
  std::string data;               // "mode=755,size=65536k"

  bool is_bind() const;
  bool is_recursive_bind() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace berth::runtime
