// The config `spec` writes: equal in substance to `runc spec` (1.1.5), and
// with `rootless` to `runc spec --rootless`.
#pragma once

#include <sys/types.h>

#include "oci/runtime_spec.hpp"

namespace berth::oci {

Spec default_spec();
// The rootless variant maps container root to (uid, gid) on the host.
Spec rootless_spec(uid_t uid, gid_t gid);

}  // namespace berth::oci
