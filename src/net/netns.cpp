#include "net/netns.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/scope_guard.hpp"

namespace berth::net {

Result<UniqueFd> open_netns(const std::string& path) {
  return TRY_CTX(open_file(path, O_RDONLY), "open network namespace " + path);
}

Result<> create_netns_file(const std::string& path) {
  // The mount point must exist as a file before the bind mount.
  auto placeholder = TRY(open_file(path, O_RDONLY | O_CREAT | O_EXCL, 0444));
  placeholder.reset();
  auto unlink_file = ScopeGuard([&] { ::unlink(path.c_str()); });
  Result<> made = make_error(ErrorCategory::Internal, "netns thread did not run");
  // unshare on a thread of our own: the new namespace is that thread's
  // only, and the thread ends right after pinning it with the bind mount.
  std::thread worker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      made = sys_error("unshare network namespace");
      return;
    }
    if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      made = sys_error("bind mount network namespace at " + path);
      return;
    }
    made = ok();
  });
  worker.join();
  TRY(made);
  unlink_file.dismiss();
  return ok();
}

Result<> remove_netns_file(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return sys_error("unmount network namespace " + path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return sys_error("remove network namespace file " + path);
  return ok();
}

}  // namespace berth::net
