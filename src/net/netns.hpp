// Network namespaces as owned fds, and a safe way to act inside one.
//
// setns(2) changes the namespace of the calling *thread*. berthd is
// multithreaded (Asio workers), so it must never call setns on a thread it
// does not own: run_in_netns starts a fresh thread, moves only that thread,
// runs the work and lets the thread die. Whatever the work creates there
// (netlink, UDP/TCP sockets, /proc/sys files opened there) stays bound to
// that namespace after the thread is gone, which is how the daemon then
// configures a container's network from any thread.
#pragma once

#include <sched.h>

#include <string>
#include <thread>
#include <type_traits>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::net {

// Opens /proc/thread-self/ns/net (the caller's namespace) or a path such as
// /proc/<pid>/ns/net or a bind-mounted namespace file.
Result<UniqueFd> open_netns(const std::string& path = "/proc/thread-self/ns/net");

// Runs fn() on a new thread that first joins `netns_fd`. fn returns a
// Result; its value is handed back.
template <typename F>
auto run_in_netns(int netns_fd, F&& fn) -> std::invoke_result_t<F> {
  using R = std::invoke_result_t<F>;
  R result = make_error(ErrorCategory::Internal, "netns thread did not run");
  std::thread worker([&] {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
      result = sys_error("setns to network namespace");
      return;
    }
    result = fn();
  });
  worker.join();
  return result;
}

// A named, persistent network namespace: a fresh namespace kept alive by a
// bind mount of its nsfs file at `path` (what `ip netns add` does, and what
// the engine can use for a container whose process does not exist yet).
Result<> create_netns_file(const std::string& path);
// Unmounts and removes it; the namespace dies when its last user goes.
Result<> remove_netns_file(const std::string& path);

}  // namespace berth::net
