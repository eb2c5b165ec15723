// Dockerfile-style config edits for `import --change` and `commit
// --change`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR,
// STOPSIGNAL, ONBUILD (the instructions Docker accepts there).
#pragma once

#include <string_view>

#include "base/error.hpp"
#include "oci/image_config.hpp"

namespace berth::image {

Result<> apply_change(oci::ContainerConfig& config, std::string_view instruction);

}  // namespace berth::image
