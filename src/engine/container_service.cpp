// HostContainerService: create, lookup, list, remove and inventory. The
// lifecycle (start, stop, monitors, re-adoption) is in container_run.cpp.
#include "engine/container_service.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <regex>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "engine/container_config.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_network.hpp"
#include "engine/container_store.hpp"
#include "engine/crash_point.hpp"
#include "engine/volume_service.hpp"
#include "image/unpack.hpp"
#include "monitor/protocol.hpp"
#include "oci/image_config.hpp"

namespace berth::engine {

std::string snapshot_key(const std::string& id) { return "container-" + id; }

namespace {

std::string random_id() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 15]);
  }
  return id;
}

// "busybox" -> "busybox:latest", as dockerd names a missing image.
std::string with_default_tag(const std::string& ref) {
  if (ref.find('@') != std::string::npos || ref.starts_with("sha256:")) return ref;
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return ref + ":latest";
  return ref;
}

int remove_one(const char* path, const struct stat*, int type, struct FTW*) {
  return type == FTW_DP ? ::rmdir(path) : ::unlink(path);
}

}  // namespace

Result<> remove_tree(const std::string& path) {
  if (::nftw(path.c_str(), remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0 && errno != ENOENT)
    return sys_error("remove " + path);
  return ok();
}

HostContainerService::HostContainerService(const ContainerServiceOptions& options)
    : o_(options),
      containers_dir_(options.data_root + "/containers"),
      runtime_root_(options.exec_root + "/runtime") {}

HostContainerService::~HostContainerService() {
  stop_health();
  stop_restarter();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_reaper();
  if (reaper_.joinable()) reaper_.join();
  janitor_.drain();  // its jobs use the snapshotter, which outlives us only until here
}

Result<std::unique_ptr<HostContainerService>> HostContainerService::open(const ContainerServiceOptions& options) {
  if (!options.stores || !options.stores->snapshots || !options.events)
    return make_error(ErrorCategory::Internal, "container service needs image stores, a snapshotter and events");
  std::unique_ptr<HostContainerService> s(new HostContainerService(options));
  TRY(make_dirs(s->containers_dir_, 0710));
  TRY(make_dirs(s->runtime_root_, 0700));
  TRY(migrate_containers(*options.stores->db));
  s->wake_fd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!s->wake_fd_) return sys_error("eventfd");
  TRY(s->adopt_all());
  if (auto r = s->reconcile_orphans(); !r) log::warn("reconcile containers", {{"error", r.error()}});
  if (options.network) {
    std::vector<Container> running;
    for (const auto& [id, e] : s->entries_)
      if (e->c.state.running()) running.push_back(e->c);
    options.network->reconcile(running);
  }
  s->reaper_ = std::thread([p = s.get()] { p->reaper(); });
  s->start_restarter();
  s->start_health();
  return s;
}

std::shared_ptr<HostContainerService::Entry> HostContainerService::find_locked(const std::string& ref,
                                                                               Result<>* error) const {
  if (auto it = entries_.find(ref); it != entries_.end()) return it->second;
  std::string name = ref.starts_with("/") ? ref.substr(1) : ref;
  if (auto it = names_.find(name); it != names_.end()) {
    if (auto e = entries_.find(it->second); e != entries_.end()) return e->second;
  }
  std::shared_ptr<Entry> found;
  if (!ref.empty()) {
    for (auto it = entries_.lower_bound(ref); it != entries_.end() && it->first.starts_with(ref); ++it) {
      if (found) {
        *error = make_error(ErrorCategory::InvalidArgument, "multiple IDs found with provided prefix: " + ref);
        return nullptr;
      }
      found = it->second;
    }
  }
  if (!found) *error = make_error(ErrorCategory::NotFound, "No such container: " + ref);
  return found;
}

Result<std::shared_ptr<HostContainerService::Entry>> HostContainerService::find(const std::string& ref) const {
  std::lock_guard lock(mu_);
  Result<> error = ok();
  auto e = find_locked(ref, &error);
  if (!e) return tl::unexpected(error.error());
  return e;
}

void HostContainerService::persist(const Entry& e) {
  std::lock_guard db_lock(db_mu_);
  if (auto r = save_container_state(*o_.stores->db, e.c); !r)
    log::error("save container state", {{"id", e.c.id}, {"error", r.error()}});
}

void HostContainerService::publish(const Container& c, const std::string& action,
                                   std::map<std::string, std::string> extra) {
  extra["image"] = c.image;
  extra["name"] = c.name;
  for (const auto& [k, v] : c.labels) extra.emplace(k, v);
  o_.events->publish({"container", action, c.id, std::move(extra), "local", 0});
}

Result<CreateResult> HostContainerService::create(const std::string& name, std::string_view body) {
  CreateResult result;
  Container c;
  c.image = TRY(create_body_image(body));
  auto& stores = *o_.stores;
  auto image = stores.images->resolve(c.image);
  if (!image) {
    if (image.error().category() == ErrorCategory::NotFound)
      return make_error(ErrorCategory::NotFound, "No such image: " + with_default_tag(c.image));
    return tl::unexpected(image.error());
  }
  auto image_config = TRY(oci::parse_image_config(TRY(stores.content->read(image->id))));
  c.id = random_id();
  c.image_id = image->id;
  c.created = oci::rfc3339_now();
  c.dir = containers_dir_ + "/" + c.id;
  c.log_path = c.dir + "/" + monitor::log_file_name(c.id);
  TRY(apply_create_body(c, body, image_config, result.warnings));
  std::string wanted = name.empty() ? "" : TRY(validate_container_name(name));

  {  // reserve the name
    std::lock_guard lock(mu_);
    if (wanted.empty()) {
      for (uint64_t seed = c.id[0] * 131u + c.id[1];; seed += 7919) {
        wanted = generate_container_name(seed);
        if (!names_.contains(wanted)) break;
      }
    } else if (auto it = names_.find(wanted); it != names_.end()) {
      return make_error(ErrorCategory::Conflict,
                        "Conflict. The container name \"/" + wanted + "\" is already in use by container \"" +
                            it->second + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }
    names_[wanted] = c.id;
  }
  c.name = wanted;
  auto release_name = ScopeGuard([&] {
    std::lock_guard lock(mu_);
    names_.erase(wanted);
  });
  std::unique_lock db_lock(db_mu_);
  std::string chain = TRY_CTX(image::unpack(*stores.images, *stores.snapshots, *image), "unpack image");
  TRY(stores.snapshots->prepare(snapshot_key(c.id), chain));
  db_lock.unlock();
  crash_point("create:snapshot");
  auto drop_snapshot = ScopeGuard([&] {
    std::lock_guard lock(db_mu_);
    (void)stores.snapshots->remove(snapshot_key(c.id));
  });
  TRY(make_dirs(c.dir + "/rootfs", 0710));
  auto drop_dir = ScopeGuard([&] { (void)remove_tree(c.dir); });
  crash_point("create:dir");
  auto entry = std::make_shared<Entry>();
  entry->dirfd = TRY(open_file(c.dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (o_.volumes) TRY(o_.volumes->created(c, image_config.config.volumes));
  auto drop_volumes = ScopeGuard([&] {
    if (o_.volumes) o_.volumes->removed(c, true);
  });
  if (o_.network) TRY(o_.network->created(c, body));
  db_lock.lock();
  auto inserted = insert_container(*stores.db, c);
  db_lock.unlock();
  TRY(std::move(inserted));
  crash_point("create:row");
  entry->c = c;
  {
    std::lock_guard lock(mu_);
    entries_[c.id] = entry;
  }
  release_name.dismiss();
  drop_snapshot.dismiss();
  drop_dir.dismiss();
  drop_volumes.dismiss();
  publish(c, "create");
  result.id = c.id;
  return result;
}

Result<Container> HostContainerService::get(const std::string& ref) {
  auto e = TRY(find(ref));
  std::lock_guard lock(mu_);
  return e->c;
}

namespace {

bool matches(const Container& c, const Filters& f) {
  if (!f.fuzzy_match("id", c.id)) return false;
  if (f.contains("name")) {
    // dockerd: a regular expression searched in the name, with and
    // without its leading "/"; one that does not compile matches nothing.
    bool any = false;
    for (const auto& v : f.values("name")) {
      try {
        std::regex re(v);
        any = any || std::regex_search(c.name, re) || std::regex_search("/" + c.name, re);
      } catch (const std::regex_error&) {
      }
    }
    if (!any) return false;
  }
  if (!f.match_labels("label", c.labels)) return false;
  if (!f.exact_match("status", c.state.docker_status())) return false;
  if (f.contains("exited") && (c.state.status != "exited" || !f.exact_match("exited", std::to_string(c.state.exit_code))))
    return false;
  if (f.contains("ancestor") && !f.exact_match("ancestor", c.image) && !f.fuzzy_match("ancestor", c.image_id))
    return false;
  if (f.contains("health") && !f.exact_match("health", c.state.health ? c.state.health->status : "none"))
    return false;
  return true;
}

}  // namespace

Result<std::vector<Container>> HostContainerService::list(const ListOptions& options) {
  TRY(options.filters.validate({"id", "name", "label", "status", "exited", "ancestor", "before", "since",
                                "network", "volume", "health", "isolation", "is-task", "publish", "expose"}));
  for (const auto& s : options.filters.values("status"))
    if (s != "created" && s != "restarting" && s != "running" && s != "removing" && s != "paused" &&
        s != "exited" && s != "dead")
      return make_error(ErrorCategory::InvalidArgument, "invalid filter 'status=" + s + "'");
  for (const auto& s : options.filters.values("health"))
    if (s != "starting" && s != "healthy" && s != "unhealthy" && s != "none")
      return make_error(ErrorCategory::InvalidArgument, "Unrecognised filter value for health: " + s);
  std::vector<Container> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) {
      bool all = options.all || options.filters.contains("status") || options.filters.contains("exited");
      if (!all && !e->c.state.running()) continue;
      if (matches(e->c, options.filters)) out.push_back(e->c);
    }
  }
  // Outside the lock: the network filters ask the network manager.
  if (o_.network)
    std::erase_if(out, [&](const Container& c) { return !o_.network->matches(c, options.filters); });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  if (options.limit > 0 && out.size() > static_cast<size_t>(options.limit)) out.resize(options.limit);
  return out;
}

void HostContainerService::unmount_rootfs(const Container& c) {
  // Detaching unmount; EINVAL means it was not mounted.
  (void)::umount2((c.dir + "/rootfs").c_str(), MNT_DETACH);
}

Result<> HostContainerService::remove_entry(const std::shared_ptr<Entry>& e, bool volumes, bool late_cleanup) {
  Container c;
  {
    std::lock_guard lock(mu_);
    e->removing = true;
    e->c.state.status = "removing";
    c = e->c;
  }
  // Recorded first: a crash part-way leaves a row that the next start
  // finishes removing (adopt), never a listed container without a rootfs.
  persist(*e);
  crash_point("rm:marked");
  // With late_cleanup the rootfs is unmounted after the waiters are
  // answered: unmounting an overlay syncs its whole upper file system
  // (ovl_sync_fs), milliseconds or far more on a busy disk. Nothing uses
  // the mount any more, and a crash before the unmount leaves it to the
  // next start (adopt and reconcile_orphans unmount before they delete).
  if (!late_cleanup) unmount_rootfs(c);
  auto unmount = ScopeGuard([&] { unmount_rootfs(c); });
  if (o_.network) o_.network->detach(c);
  std::function<Result<>()> delete_snapshot_tree;
  {
    std::lock_guard db_lock(db_mu_);
    auto r = o_.stores->snapshots->remove_deferred(snapshot_key(c.id));
    if (r) delete_snapshot_tree = std::move(*r);
    else if (r.error().category() != ErrorCategory::NotFound) return tl::unexpected(r.error());
  }
  crash_point("rm:snapshot");
  {
    std::lock_guard db_lock(db_mu_);
    TRY(delete_container(*o_.stores->db, c.id));
  }
  crash_point("rm:row");
  if (o_.volumes) o_.volumes->removed(c, volumes);
  {
    std::lock_guard lock(mu_);
    entries_.erase(c.id);
    if (auto it = names_.find(c.name); it != names_.end() && it->second == c.id) names_.erase(it);
    e->fire(WaitCondition::Removed, {c.state.exit_code, ""});
    e->changed();
  }
  publish(c, "destroy");
  unmount.dismiss();
  // Nothing left points at the two trees (no row, no record, the name is
  // free), so deleting them, a few milliseconds of unlinks, runs after the
  // waiters were answered; a crash before it leaves orphans that the next
  // start removes (reconcile_orphans, the snapshotter's open).
  auto cleanup = [this, c, delete_snapshot_tree] {
    unmount_rootfs(c);
    if (delete_snapshot_tree)
      if (auto r = delete_snapshot_tree(); !r) log::warn("remove container snapshot", {{"error", r.error()}});
    if (auto r = remove_tree(c.dir); !r) log::warn("remove container dir", {{"error", r.error()}});
  };
  if (late_cleanup) janitor_.post(std::move(cleanup));
  else cleanup();
  return ok();
}

Result<> HostContainerService::remove(const std::string& ref, bool force) { return remove_with_volumes(ref, force, false); }

Result<> HostContainerService::remove_with_volumes(const std::string& ref, bool force, bool volumes) {
  auto e = TRY(find(ref));
  int64_t exits;
  bool was_running;
  {
    std::lock_guard lock(mu_);
    if (e->removing)
      return make_error(ErrorCategory::Conflict, "removal of container " + ref + " is already in progress");
    bool running = e->c.state.running() || e->starting;
    if (running && !force)
      return make_error(ErrorCategory::Conflict,
                        "cannot remove container \"/" + e->c.name +
                            "\": container is running: stop the container before removing or force remove");
    e->removing = true;  // an auto-remove after the kill must not race us
    e->stop_requested = running;
    was_running = running;
    exits = e->exits;
  }
  if (was_running) {
    (void)signal(*e, SIGKILL);
    if (!wait_exit(e, exits, 30))
      return make_error(ErrorCategory::Internal, "could not kill container " + ref);
  }
  return remove_entry(e, volumes);
}

ContainerCounts HostContainerService::container_counts() const {
  std::lock_guard lock(mu_);
  ContainerCounts n;
  for (const auto& [id, e] : entries_) {
    ++n.total;
    if (e->c.state.paused && e->c.state.running()) ++n.paused;
    else if (e->c.state.running()) ++n.running;
    else ++n.stopped;
  }
  return n;
}

std::vector<DiskUsage::Container> HostContainerService::container_usage() const {
  std::lock_guard lock(mu_);
  std::vector<DiskUsage::Container> out;
  for (const auto& [id, e] : entries_)
    out.push_back({e->c.id, e->c.name, e->c.image, e->c.state.status, e->c.state.status, 0, 0, 0});
  return out;
}

bool HostContainerService::image_used(const std::string& image_id, bool* running,
                                      std::string* first) const {
  std::lock_guard lock(mu_);
  bool used = false;
  if (running) *running = false;
  for (const auto& [id, e] : entries_) {
    if (e->c.image_id != image_id) continue;
    if (first && !used) *first = e->c.id;
    used = true;
    if (running && e->c.state.running()) *running = true;
  }
  return used;
}

}  // namespace berth::engine
