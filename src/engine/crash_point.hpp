// Named crash points for the reliability tests: a debug build of berthd
// started with BERTH_CRASH_AT=<name> kills itself with SIGKILL when it
// reaches crash_point(<name>), so a test can stop the daemon at an exact
// step of create/start/rm and check what a restart makes of it. Release
// builds (NDEBUG) compile the calls to nothing.
#pragma once

#include <string_view>

namespace berth::engine {

#ifdef NDEBUG
inline void crash_point(std::string_view) {}
#else
void crash_point(std::string_view name);
#endif

}  // namespace berth::engine
