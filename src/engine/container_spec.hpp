// The OCI runtime config of a Docker container: Docker's default mounts,
// capabilities, masked and read-only paths, resources from HostConfig,
// the user resolved against the image's /etc/passwd and /etc/group.
#pragma once

#include <string>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "engine/container_config.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::engine {

struct SpecPaths {
  std::string rootfs;       // the mounted snapshot
  std::string hostname;     // files bound over /etc/hostname, /etc/hosts,
  std::string hosts;        // /etc/resolv.conf (empty: not bound)
  std::string resolv_conf;
  std::string netns_path;  // network namespace to join (container:<id>); empty: a new one
  std::string cgroup_parent = "/berth";
  std::string init;  // berth-init, bound at /sbin/docker-init for --init (empty: none)
};

Result<oci::Spec> container_spec(const Container& c, const RunSettings& s, const SpecPaths& paths);

// A Docker user spec ("name", "uid", "name:group", "uid:gid"; empty =
// root) resolved against the rootfs's /etc/passwd and /etc/group.
struct UserIds {
  uint32_t uid = 0, gid = 0;
  std::string home = "/";
};
Result<UserIds> resolve_rootfs_user(const std::string& rootfs, const std::string& spec);
// The cgroup limits of HostConfig (what `docker update` changes live).
oci::Resources container_resources(const RunSettings& s);

// Docker's 14 default capabilities, "CAP_"-prefixed.
const std::vector<std::string>& default_capabilities();

}  // namespace berth::engine
