// --platform as the docker CLI reads it for run/create (containerd's
// platforms.Parse): "os", "arch", "os/arch" or "os/arch/variant",
// normalised (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, ...) and
// sent as "os/arch[/variant]"; a bad specifier is docker's error.
#pragma once

#include <string>

#include "base/error.hpp"

namespace berth::cli {

// The normalised "os/arch[/variant]", or docker's "error parsing specified
// platform: ..." message.
Result<std::string> normalize_platform(const std::string& specifier);

// --platform, else DOCKER_DEFAULT_PLATFORM, else "".
std::string platform_flag(const std::string& flag_value, bool flag_given);

}  // namespace berth::cli
