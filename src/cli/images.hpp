// Image references and pulls, shared by `pull` and `run`/`create`.
#pragma once

#include <string>

#include "cli/context.hpp"

namespace berth::cli {

struct ImageRef {
  std::string name;    // normalized: docker.io/library/busybox
  std::string tag;     // "" when not given
  std::string digest;  // "" when not given
};
ImageRef parse_image_ref(const std::string& ref);

// POST /images/create with progress on `fd` (stderr for run).
// `platform` ("os/arch[/variant]", may be empty) goes in the query as is.
Result<> pull_image(Context& ctx, const std::string& ref, int fd, const std::string& platform = "");

class Args;
// inspect restricted to one kind ("containers", "images", "networks").
Result<int> inspect_typed(Context& ctx, const Args& args, const std::string& kind);

}  // namespace berth::cli
