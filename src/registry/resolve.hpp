// Resolving a reference to its top manifest (or index) across the
// endpoints a pull may use: docker.io's mirrors in turn, then the
// registry itself, whose error is the one reported — dockerd falls back
// the same way when a mirror is down or lacks the image.
#pragma once

#include <memory>
#include <string>

#include "oci/image_reference.hpp"
#include "registry/client.hpp"

namespace berth::registry {

struct ResolvedManifest {
  std::unique_ptr<Client> client;  // connected to the endpoint that served it
  FetchedManifest top;
};

// `reference` is the tag or digest to ask for.
Result<ResolvedManifest> resolve_manifest(const oci::Reference& ref, const std::string& reference,
                                          const ClientOptions& options);

}  // namespace berth::registry
