// Process-level calls: namespaces, pidfds, identity, and /proc facts.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::sys {

// CLONE_NEW* for an OCI namespace type ("network" -> CLONE_NEWNET); 0 if unknown.
int namespace_flag(const std::string& type);
// The /proc/<pid>/ns/<name> entry for an OCI namespace type.
std::string namespace_proc_name(const std::string& type);

Result<> setns(int fd, int nstype, const std::string& what);
Result<> unshare(int flags);

Result<> pidfd_signal(int pidfd, int sig);
// Waits up to timeout_ms (-1 = forever) for the process behind a pidfd
// to exit; works for non-children too. Returns true if it exited.
Result<bool> pidfd_wait_exit(int pidfd, int timeout_ms);

// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
// Together with the pid it names one process for its whole life.
Result<uint64_t> process_start_time(pid_t pid);
// True if pid is alive and not a zombie.
bool process_alive(pid_t pid);

Result<> set_hostname(const std::string& name);
Result<> set_domainname(const std::string& name);

// SCM_RIGHTS over a connected AF_UNIX socket.
Result<> send_fd(int sock, int fd, const std::string& payload);
Result<UniqueFd> recv_fd(int sock, std::string* payload = nullptr);
Result<UniqueFd> connect_unix(const std::string& path);

// Children of this process keep dying parents' orphans (double-forked
// daemons in a container) reaped and their exit status observable.
Result<> set_child_subreaper();
Result<> set_parent_death_signal(int sig);

}  // namespace berth::sys
