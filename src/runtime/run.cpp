// run: create + start in one call. In the foreground the runtime stays
// the init's parent: it forwards signals, relays the terminal, reaps the
// init, deletes the container and returns its exit code.
#include "base/log.hpp"
#include "runtime/console.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

Result<int> run(const Context& ctx, const CreateOptions& options, const RunOptions& run) {
  // Blocked before the clone so no signal between now and the relay loop
  // is lost; the init clears its mask before it execs.
  if (!run.detach) TRY(block_forwarded_signals());
  CreateOptions create_options = options;
  create_options.detached = run.detach;
  Record record;
  SyncChannel channel;
  auto created = TRY(create_container(ctx, create_options, record, &channel));
  // Poststart hooks run once the process has been exec'd, which only the
  // fifo's EOF tells: then close the channel, and the init takes the fifo.
  const bool poststart = record.config.hooks && !record.config.hooks->poststart.empty();
  if (poststart) channel.close();
  auto started = poststart ? release_init(ctx, record, created.init.pidfd()) : start_now(ctx, record, channel, run.detach);
  channel.close();
  if (!started) {
    (void)remove_container(ctx, record, true);
    return tl::unexpected(std::move(started).error());
  }
  if (run.detach) {
    (void)created.init.release();
    return 0;
  }
  auto exited = relay_until_exit(created.init, created.pty_master ? created.pty_master.get() : -1);
  if (!run.keep) {
    auto removed = remove_container(ctx, record, true);
    if (!removed) log::warn("delete after run failed", {{"error", removed.error()}});
  }
  if (!exited) return tl::unexpected(std::move(exited).error());
  return exited->shell_code();
}

}  // namespace berth::runtime
