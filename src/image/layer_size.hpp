// The size of a layer as Docker reports it: what its files occupy once
// unpacked, counted the way dockerd's graph drivers count a layer
// directory (every non-directory entry's st_size, hardlinks once). This is
// what `docker images` shows as SIZE, so a layer's tar overhead (headers,
// padding) and its compression do not count.
#pragma once

#include <cstdint>

#include "base/error.hpp"
#include "image/content_store.hpp"
#include "image/image_store.hpp"

namespace berth::image {

// Reads the layer's tar headers (decompressing as needed, skipping file
// data where it can); regular files count their size, symlinks the length
// of their target, whiteouts and directories nothing.
Result<int64_t> layer_content_size(ContentStore& content, const LayerRecord& layer);

}  // namespace berth::image
