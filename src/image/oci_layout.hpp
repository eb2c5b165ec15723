// OCI image layout directories (oci-layout, index.json, blobs/sha256/):
// what `skopeo copy ... oci:DIR:TAG` reads and writes. Manifests and
// configs are kept byte for byte, so digests survive the round trip.
#pragma once

#include <string>
#include <vector>

#include "image/context.hpp"
#include "image/docker_archive.hpp"

namespace berth::image {

// Loads every image the layout's index names (for a nested index, the
// manifest for `platform`). A ref.name annotation that is a bare tag is
// qualified with `repository` (if given) to form the image's tag.
Result<LoadResult> load_oci_layout(Context& ctx, const std::string& dir,
                                   const std::string& repository = {});

// Writes the images into a new layout at `dir` (created if missing); each
// is annotated with its tag, or with the tag part of the reference given.
Result<> save_oci_layout(Context& ctx, const std::vector<std::string>& names,
                         const std::string& dir);

}  // namespace berth::image
