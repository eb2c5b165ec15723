// Docker's restart-policy decisions, kept free of the service so they can
// be tested on their own (the scheduling is in container_restart.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace berth::engine {

// Whether a container that exited with `exit_code` starts again.
// `manually_stopped`: stopped by stop/kill, which keeps unless-stopped down.
bool should_restart(const std::string& policy, int64_t max_retries, int exit_code, int64_t restart_count,
                    bool manually_stopped);
// dockerd's backoff: 100 ms, doubled per consecutive restart, at most a
// minute; a run of 10 s or more starts over at 100 ms.
int64_t next_restart_delay_ms(int64_t previous_ms, int64_t ran_ms);

}  // namespace berth::engine
