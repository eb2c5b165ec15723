// Small helpers shared by the lifecycle operations.
#pragma once

#include <memory>
#include <string>

#include "base/error.hpp"
#include "runtime/cgroups/cgroup.hpp"
#include "runtime/record.hpp"
#include "runtime/runtime.hpp"
#include "runtime/sync.hpp"

namespace berth::runtime {

// The container's cgroup manager, or nullptr if it runs without one.
Result<std::unique_ptr<cgroups::Manager>> record_manager(const Record& record);
// A pidfd for the init, checked against its recorded start time.
Result<UniqueFd> init_pidfd(const Record& record);
// "running", "created", ... for error messages.
std::string status_word(oci::Status status);
oci::State state_for_hooks(const Record& record, oci::Status status);

// The lifecycle steps on a record already in memory, so `run` does not
// read back the state it has just written.
//
// `create` filling `record`. With `channel`, the parent's end of the sync
// channel is kept there: the init waits on it for "exec" before it would
// wait on exec.fifo.
Result<Created> create_container(const Context& ctx, const CreateOptions& options, Record& record,
                                 SyncChannel* channel = nullptr);
// `start` after its checks; `init_pidfd` is the init's pidfd.
Result<> release_init(const Context& ctx, const Record& record, int init_pidfd);
// `start` for the process that created the container, without the fifo
// round trip. `wait_exec`: return once the process has been exec'd, as
// `start` does (a foreground run need not wait: it waits for the exit).
Result<> start_now(const Context& ctx, const Record& record, const SyncChannel& channel, bool wait_exec);
Result<> remove_container(const Context& ctx, const Record& record, bool force);

}  // namespace berth::runtime
