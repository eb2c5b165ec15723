// Checks a parsed config against the runtime-spec's requirements before
// anything is created, so a bad bundle fails with every problem named
// ("linux.sysctl.net.ipv4.ip_forward: needs a new network namespace")
// instead of half-way through container setup.
#pragma once

#include <string_view>

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::oci {

// InvalidArgument listing every problem found, "; "-separated.
Result<> validate(const Spec& spec);
Result<> validate_process(const Process& process, std::string_view where = "process");

bool is_known_capability(std::string_view name);
bool is_known_rlimit(std::string_view name);
bool is_known_namespace(std::string_view type);

}  // namespace berth::oci
