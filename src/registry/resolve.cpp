#include "registry/resolve.hpp"

namespace berth::registry {

Result<ResolvedManifest> resolve_manifest(const oci::Reference& ref, const std::string& reference,
                                          const ClientOptions& options) {
  auto groups = Client::pull_endpoints(ref.domain, options);
  for (size_t i = 0;; ++i) {
    bool last = i + 1 == groups.size();
    auto found = [&]() -> Result<ResolvedManifest> {
      auto client = TRY(Client::connect_to(ref.domain, options, groups[i], !last));
      auto top = TRY(client->get_manifest(ref.path, reference));
      return ResolvedManifest{std::move(client), std::move(top)};
    }();
    if (found || last) return found;
  }
}

}  // namespace berth::registry
