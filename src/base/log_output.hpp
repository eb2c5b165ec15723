// Where log records go. Separate from log.hpp so that the few callers
// (a runtime's child closing every fd it does not need) do not make every
// user of log.hpp depend on it.
#pragma once

namespace berth::log {

// The fd records are written to (2 unless configure() chose another).
int output_fd();

}  // namespace berth::log
