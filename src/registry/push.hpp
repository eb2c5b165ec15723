// Push: the stored manifest bytes are sent unchanged (so the digest a pull
// of the pushed tag sees is the one berth holds), after every blob it
// names is present in the target repository: skipped when HEAD finds it,
// mounted from another repository of the same registry when the image
// came from one, else uploaded (monolithic or chunked).
#pragma once

#include <string>

#include "image/context.hpp"
#include "registry/client.hpp"
#include "registry/progress.hpp"

namespace berth::registry {

struct PushOptions {
  ClientOptions client;
};

struct PushResult {
  std::string digest;  // manifest digest in the registry
  int64_t size = 0;    // manifest size
  int uploaded = 0, mounted = 0, existing = 0;
};

// `source`: the local image (any reference or ID); `target`: where to push
// (defaults to `source`, which must then be a reference with a tag).
Result<PushResult> push(image::Context& ctx, const std::string& source, const std::string& target,
                        const PushOptions& options, const ProgressFn& progress = {});

}  // namespace berth::registry
