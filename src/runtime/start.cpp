// start: open exec.fifo, which releases the init blocked on its write end,
// read the byte it writes, remove the fifo (the container is now
// "running"), and run the poststart hooks.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

Result<> start(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  auto st = status(ctx, record);
  if (st == oci::Status::Stopped) return make_error(ErrorCategory::Conflict, "cannot start a container that has stopped");
  if (st != oci::Status::Created)
    return make_error(ErrorCategory::Conflict, "cannot start an already " + status_word(st) + " container");
  // The pidfd is taken first: opening the fifo releases the init, which may
  // exec and exit (a short command) before we would look at it again.
  auto pidfd = TRY(init_pidfd(record));
  return release_init(ctx, record, pidfd.get());
}

Result<> release_init(const Context& ctx, const Record& record, int pidfd) {
  std::string fifo = container_dir(ctx, record.id) + "/" + kExecFifo;
  // Non-blocking open, then poll together with the init's pidfd: if the
  // init dies we report it instead of waiting for a writer forever.
  auto reader = TRY(open_file(fifo, O_RDONLY | O_NONBLOCK));
  for (;;) {
    pollfd fds[2] = {{reader.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error("wait for container init");
    }
    if (fds[0].revents & POLLIN) {
      char byte;
      if (::read(reader.get(), &byte, 1) == 1) break;
    }
    if (fds[1].revents & POLLIN) return make_error(ErrorCategory::Conflict, "container init exited before start");
    if (fds[0].revents & POLLHUP) continue;  // no writer yet
  }
  ::unlink(fifo.c_str());
  // EOF comes when the init's execve closes its (CLOEXEC) write end, or
  // when it dies: either way the user process has been started.
  int flags = ::fcntl(reader.get(), F_GETFL);
  ::fcntl(reader.get(), F_SETFL, flags & ~O_NONBLOCK);
  char rest;
  while (::read(reader.get(), &rest, 1) > 0) {
  }
  if (record.config.hooks) {
    auto hooked = run_hooks(record.config.hooks->poststart, state_for_hooks(record, oci::Status::Running), "poststart");
    // The spec: a failing poststart hook is logged; the container runs on.
    if (!hooked) log::warn("poststart hook failed", {{"error", hooked.error()}});
  }
  return ok();
}

Result<> start_now(const Context& ctx, const Record& record, const SyncChannel& channel, bool wait_exec) {
  // Unlinked first: `state` reads a container without its fifo as running.
  ::unlink((container_dir(ctx, record.id) + "/" + kExecFifo).c_str());
  if (!channel.send("exec")) return make_error(ErrorCategory::Conflict, "container init exited before start");
  // The init's end is close-on-exec: EOF says the process runs (or the init
  // died), as the fifo's EOF does for `start`.
  if (wait_exec) (void)channel.recv();
  return ok();
}

}  // namespace berth::runtime
