// OCI hooks: each is exec'd with its args and env, the container state as
// JSON on stdin, and killed when its timeout expires. The first failure
// stops the list and fails the operation (poststop callers only warn).
#pragma once

#include <vector>

#include "base/error.hpp"
#include "oci/runtime_spec.hpp"
#include "oci/runtime_state.hpp"

namespace berth::runtime {

Result<> run_hooks(const std::vector<oci::Hook>& hooks, const oci::State& state, const char* kind);

}  // namespace berth::runtime
