// Build identity. BERTH_VERSION is a compile definition (it changes only
// with releases); the commit lives in one generated source so that a new
// commit recompiles one file, not the tree.
#pragma once

namespace berth {

inline constexpr const char* kVersion = BERTH_VERSION;
// Short git commit of the source tree at configure time, or "unknown".
const char* git_commit();

}  // namespace berth
