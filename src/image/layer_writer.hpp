// Writes a layer tar (pax, uncompressed) from a snapshot's changes:
// added and modified entries with their data and metadata, deletions as
// ".wh." files and overlay-opaque directories as ".wh..wh..opq", so that
// applying it on the parent reproduces the snapshot. Hardlinks inside
// the layer are written once and linked.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "image/changes.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

using ByteSink = std::function<Result<>(std::string_view)>;

Result<> write_layer(const snapshot::DiffSource& source, const std::vector<Change>& changes,
                     const ByteSink& sink);

}  // namespace berth::image
