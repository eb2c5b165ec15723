// HostContainerService: what a restart finds that no row explains. berthd
// may be killed at any step of create, start or rm; these make the state
// on disk and in the kernel match the rows again (rows themselves are
// finished in adopt()):
//  - a monitor still alive for a container not recorded as running (the
//    daemon died between spawning it and recording the start) is told to
//    kill its container and awaited, so its cgroup and runtime state go;
//  - a container directory without a row (create died before the insert,
//    rm died after the delete) is unmounted and removed;
//  - an active snapshot "container-<id>" without a row is removed.
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <set>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/owned_pid.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "monitor/protocol.hpp"
#include "sys/dir.hpp"

namespace berth::engine {

void HostContainerService::stop_stale_monitor(const std::string& id, int dirfd) {
  auto conn = monitor::connect(dirfd);
  if (!conn) return;  // no socket, or nobody listening: no monitor
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(conn->get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.pid <= 0) return;
  auto pidfd = pidfd_open(cred.pid);
  if (!pidfd) return;
  log::info("stopping a monitor left from an interrupted start", {{"id", id}, {"monitor", cred.pid}});
  (void)monitor::command(conn->get(), "kill 9");
  conn->reset();
  // The monitor exits once it reaped the container and removed its
  // cgroup and runtime state.
  pollfd p{pidfd->get(), POLLIN, 0};
  while (::poll(&p, 1, 15000) < 0 && errno == EINTR) {
  }
  if (!p.revents) log::warn("monitor did not exit after kill", {{"id", id}, {"monitor", cred.pid}});
}

Result<> HostContainerService::reconcile_orphans() {
  std::set<std::string> known;
  for (const auto& [id, e] : entries_) known.insert(id);
  auto dir = TRY(open_file(containers_dir_, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (const auto& name : TRY(sys::list_dir(dir.get()))) {
    if (known.contains(name)) continue;
    Container c;
    c.id = name;
    c.dir = containers_dir_ + "/" + name;
    if (auto fd = open_file(c.dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) stop_stale_monitor(name, fd->get());
    unmount_rootfs(c);
    log::info("removing container directory without a record", {{"id", name}});
    if (auto r = remove_tree(c.dir); !r) log::warn("remove orphan container dir", {{"error", r.error()}});
  }
  std::vector<std::string> orphans;
  std::lock_guard db_lock(db_mu_);
  TRY(o_.stores->snapshots->walk([&](const snapshot::Info& info) -> Result<> {
    auto key = std::string_view(info.key);
    if (key.starts_with("container-") && !known.contains(std::string(key.substr(10))))
      orphans.push_back(info.key);
    return ok();
  }));
  for (const auto& key : orphans) {
    log::info("removing snapshot without a container", {{"key", key}});
    if (auto r = o_.stores->snapshots->remove(key); !r) log::warn("remove orphan snapshot", {{"error", r.error()}});
  }
  return ok();
}

}  // namespace berth::engine
