// What a registry serves for a reference, without pulling it: the
// descriptor of the top manifest or index and the platforms it covers
// (Docker's GET /distribution/{name}/json, used by `docker service
// create` and the SDKs' get_registry_data).
#pragma once

#include <string>
#include <vector>

#include "oci/image_manifest.hpp"
#include "registry/client.hpp"

namespace berth::registry {

struct DistributionInfo {
  oci::Descriptor descriptor;  // media type, digest and size of what the name resolves to
  std::vector<oci::Platform> platforms;
};

// `name` in any form Docker accepts. For an index the platforms are its
// entries'; for a single manifest they come from its config blob (fetched
// and verified, never stored).
Result<DistributionInfo> inspect_distribution(const std::string& name, const ClientOptions& options);

}  // namespace berth::registry
