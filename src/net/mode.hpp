// What the engine needs from net for each network mode:
//
//   bridge / <network>   a new namespace; connect it to that network
//   none                 a new namespace with only lo (setup_loopback)
//   host                 no namespace of its own: the OCI spec omits the
//                        network namespace; files via container_files(host_mode)
//   container:<id>       join the target's namespace (its /proc/<pid>/ns/net);
//                        nothing to create, the target's endpoints serve both
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "net/model.hpp"

namespace berth::net {

struct NetnsPlan {
  enum class Kind { New, Host, Join } kind = Kind::New;
  std::string join_path;               // Join: the namespace to enter
  std::optional<std::string> network;  // New: the network to connect, none for "none"
};

// Resolves a container name or id to the path of its network namespace
// (the engine knows running containers); NotFound / Conflict if it is not
// running.
using NetnsLookup = std::function<Result<std::string>(const std::string& container)>;

Result<NetnsPlan> plan_netns(const NetworkMode& mode, const NetnsLookup& lookup);

}  // namespace berth::net
