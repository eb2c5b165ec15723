// `docker save` archives (docker-archive): manifest.json naming each
// image's config and layer tars, plus the legacy `repositories` file and
// per-layer VERSION/json. Loading reads the archive in one pass without
// unpacking it to disk: every file streams into the content store under
// a lease and the manifest is resolved afterwards. Saving writes the
// Docker 20.10 layout with uncompressed layers, so `docker load` and
// skopeo's docker-archive: transport read it back with the same IDs.
#pragma once

#include <string>
#include <vector>

#include "image/context.hpp"

namespace berth::image {

struct LoadResult {
  std::vector<std::string> image_ids;
  std::vector<std::string> tags;  // familiar form, e.g. "busybox:latest"
};

Result<LoadResult> load_docker_archive(Context& ctx, int fd);

// `names`: references (the archive carries that tag) or IDs (no tag).
Result<> save_docker_archive(Context& ctx, const std::vector<std::string>& names, int out_fd);

// Streams a stored layer as an uncompressed tar (decompressing if the blob
// is compressed); returns its uncompressed size first via `size_only`.
Result<uint64_t> uncompressed_layer_size(ContentStore& content, const LayerRecord& layer);
Result<> stream_uncompressed_layer(ContentStore& content, const LayerRecord& layer,
                                   const std::function<Result<>(std::string_view)>& out);

}  // namespace berth::image
