// Volumes: the service the /volumes routes call, and the local driver
// behind it (<data-root>/volumes/<name>/_data, metadata in the data root's
// SQLite database, component "volumes").
//
// A container's mounts are resolved once, at create: named volumes are
// created if missing, anonymous ones get a random 64-hex name and the
// label com.docker.volume.anonymous (docker 23+'s mark, which `volume
// prune` without --all keys on). The resolved list is kept in
// <container dir>/mounts.json for start and inspect, and every volume a
// container uses is a row in volume_refs, so "in use" survives restarts
// and a used volume cannot be deleted (the foreign key refuses it too).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "engine/events.hpp"
#include "engine/filters.hpp"
#include "engine/mount_spec.hpp"
#include "engine/services.hpp"
#include "oci/runtime_spec.hpp"
#include "store/db.hpp"

namespace berth::engine {

inline constexpr const char* kAnonymousVolumeLabel = "com.docker.volume.anonymous";

struct Volume {
  std::string name;
  std::string driver = "local";
  std::string created_at;  // RFC 3339, seconds
  std::string mountpoint;
  // nullopt: shown as null (dockerd keeps the difference between "none
  // given" and "{}").
  std::optional<std::map<std::string, std::string>> labels, options;
  bool anonymous = false;
  std::vector<std::string> users;  // ids of containers that use it
};

struct VolumeCreate {
  std::string name;  // empty: a random one
  std::string driver;
  std::optional<std::map<std::string, std::string>> labels, options;
};

struct VolumePrune {
  std::vector<std::string> deleted;
  int64_t space_reclaimed = 0;
};

class VolumeService {
 public:
  virtual ~VolumeService() = default;
  // An existing name answers the existing volume, as dockerd does.
  virtual Result<Volume> create(const VolumeCreate& request) = 0;
  virtual Result<Volume> inspect(const std::string& name) = 0;
  virtual Result<std::vector<Volume>> list(const Filters& filters) = 0;
  virtual Result<> remove(const std::string& name, bool force) = 0;
  // filters: label, label!, all (without all=true only anonymous volumes).
  virtual Result<VolumePrune> prune(const Filters& filters) = 0;
  // The mounts of a container as inspect shows them (empty if unknown).
  virtual std::vector<MountPoint> container_mounts(const Container& c) = 0;
};

class LocalVolumeService final : public VolumeService, public VolumeInventory {
 public:
  // Drops references of containers that have no row (a crash between
  // a create's steps), so their volumes do not stay "in use" forever.
  static Result<std::unique_ptr<LocalVolumeService>> open(std::shared_ptr<store::Db> db,
                                                          const std::string& data_root);
  // `docker events` of type volume (create, destroy, mount).
  void set_events(EventBus* events) { events_ = events; }

  Result<Volume> create(const VolumeCreate& request) override;
  Result<Volume> inspect(const std::string& name) override;
  Result<std::vector<Volume>> list(const Filters& filters) override;
  Result<> remove(const std::string& name, bool force) override;
  Result<VolumePrune> prune(const Filters& filters) override;
  std::vector<MountPoint> container_mounts(const Container& c) override;
  std::vector<DiskUsage::Volume> volume_usage() const override;

  // --- hooks of the container service (container_volumes.cpp) ---
  // At create, with c.dir existing: resolves and records the mounts.
  // `image_volumes` are the image's Config.Volumes. Undone by removed().
  Result<> created(const Container& c, const std::vector<std::string>& image_volumes);
  // Before the monitor is spawned, with the rootfs mounted: creates
  // missing -v host dirs, copies the image's content into new volumes and
  // adds the OCI mounts to the spec.
  Result<> prepare(const Container& c, const std::string& rootfs, oci::Spec& spec);
  // The container is gone: its references go, and with `anonymous` its
  // anonymous volumes that nothing else uses (docker rm -v, --rm).
  void removed(const Container& c, bool anonymous);

 private:
  LocalVolumeService(std::shared_ptr<store::Db> db, std::string root) : db_(std::move(db)), root_(std::move(root)) {}
  Result<Volume> create_locked(const VolumeCreate& request, bool anonymous);
  Result<> remove_locked(const std::string& name, bool force);
  Result<Volume> fill(Volume v) const;
  std::string data_dir(const std::string& name) const { return root_ + "/" + name + "/_data"; }
  void publish(const std::string& action, const std::string& name, std::map<std::string, std::string> attrs = {});

  std::shared_ptr<store::Db> db_;
  std::string root_;  // <data-root>/volumes
  EventBus* events_ = nullptr;
  mutable std::mutex mu_;  // create/remove/ref changes are check-then-act
};

}  // namespace berth::engine
