// A container's mounts as dockerd derives them from the create body:
// HostConfig.Binds ("-v src:dst[:mode]"), HostConfig.Mounts ("--mount"),
// HostConfig.Tmpfs ("--tmpfs dst:opts") and Config.Volumes (anonymous
// volumes, from "-v /dst" and the image). Parsing and validation only:
// no file system access except the bind-source check of --mount, which
// the caller injects, so the parsers are unit-tested and fuzzed.
//
// Error texts are dockerd's, since scripts match on them.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::engine {

struct MountPoint {
  std::string type;         // bind | volume | tmpfs
  std::string name;         // volume: its name (empty: anonymous, named at create)
  std::string source;       // bind: host path; volume: its _data dir once resolved
  std::string destination;  // absolute, cleaned
  std::string mode;         // as inspect shows it ("ro", "z", "")
  bool rw = true;
  std::string propagation;  // bind: rprivate unless given
  bool copy_data = true;    // volume: copy the image's content into an empty volume
  bool create_source = false;  // -v bind: a missing host dir is created (0755)
  bool non_recursive = false;  // bind-nonrecursive
  bool anonymous = false;      // volume without a name from the user
  bool hidden = false;         // HostConfig.Tmpfs: dockerd leaves these out of inspect
  std::string driver;          // volume: "local"
  std::map<std::string, std::string> volume_labels, volume_options;
  std::vector<std::string> tmpfs_options;  // mount data: size=, mode=, ...
};

// "-v" / Binds entry. `spec` as the user gave it.
Result<MountPoint> parse_bind_spec(std::string_view spec);
// One HostConfig.Mounts element (a JSON object, as text or parsed by the
// caller). `exists` answers whether a host path exists.
using PathExists = std::function<bool(const std::string&)>;
Result<MountPoint> parse_mount_json(std::string_view json_object, const PathExists& exists);
// One HostConfig.Tmpfs entry.
Result<MountPoint> parse_tmpfs(std::string_view destination, std::string_view options);

// All mounts of a create body: Binds, Mounts, Tmpfs, then the anonymous
// volumes of Config.Volumes (the image's merged in by the caller) that no
// other mount covers. "Duplicate mount point" when two user mounts share
// a destination.
Result<std::vector<MountPoint>> container_mounts(std::string_view host_config_json,
                                                 const std::vector<std::string>& config_volumes,
                                                 const PathExists& exists);

// Local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (dockerd's wording).
Result<> validate_volume_name(std::string_view name);

// lexical clean of an absolute path ("/a//b/../c/" -> "/a/c").
std::string clean_path(std::string_view path);

// mounts.json of a container dir <-> the list (inspect, start).
std::string mounts_to_json(const std::vector<MountPoint>& mounts);
Result<std::vector<MountPoint>> mounts_from_json(std::string_view text);

}  // namespace berth::engine
