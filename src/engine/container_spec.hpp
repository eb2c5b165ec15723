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
// additional_gids as dockerd sets them: the primary gid, the groups of
// /etc/group that list the user by name (only when the spec names no
// group), then HostConfig.GroupAdd (names or numbers).
struct UserIds {
  uint32_t uid = 0, gid = 0;
  std::string home = "/";
  std::vector<uint32_t> additional_gids;
};
Result<UserIds> resolve_rootfs_user(const std::string& rootfs, const std::string& spec,
                                    const std::vector<std::string>& group_add = {});

// dockerd's ReplaceOrAppendEnvValues: each override replaces the default
// of its name in place or is appended; a bare "NAME" unsets it.
std::vector<std::string> replace_or_append_env(std::vector<std::string> defaults,
                                               const std::vector<std::string>& overrides);
// The environment dockerd gives a container's process (and, with the
// exec's tty, an exec's): PATH, HOSTNAME, TERM=xterm with a tty, then
// Config.Env over them; `home` is appended when HOME is still unset (runc).
std::vector<std::string> process_env(const std::vector<std::string>& config_env, const std::string& hostname,
                                     bool tty, const std::vector<std::string>& exec_env, const std::string& home);
// The cgroup limits of HostConfig (what `docker update` changes live).
oci::Resources container_resources(const RunSettings& s);

// Docker's 14 default capabilities, "CAP_"-prefixed.
const std::vector<std::string>& default_capabilities();

}  // namespace berth::engine
