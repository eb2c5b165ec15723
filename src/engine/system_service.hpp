// The engine's SystemService: version and host facts, counts and disk
// usage gathered from whichever inventories (containers, images, volumes)
// are attached.
#pragma once

#include <memory>

#include "engine/config.hpp"
#include "engine/events.hpp"
#include "engine/host_info.hpp"
#include "engine/services.hpp"

namespace berth::engine {

class HostSystemService final : public SystemService {
 public:
  // Reads (or creates) the daemon's persistent id under config.data_root.
  static Result<std::unique_ptr<HostSystemService>> create(const DaemonConfig& config,
                                                           const EventBus& events,
                                                           HostPaths paths = {});

  void attach(const ContainerInventory* containers) { containers_ = containers; }
  void attach(const ImageInventory* images) { images_ = images; }
  void attach(const VolumeInventory* volumes) { volumes_ = volumes; }

  const std::string& id() const { return id_; }

  VersionInfo version() const override;
  Result<SystemInfo> info() const override;
  Result<DiskUsage> disk_usage() const override;

 private:
  HostSystemService(DaemonConfig config, const EventBus& events, HostPaths paths, std::string id)
      : config_(std::move(config)), events_(events), paths_(std::move(paths)), id_(std::move(id)) {}

  void fill_host(SystemInfo& info, const HostFacts& host) const;

  DaemonConfig config_;
  const EventBus& events_;
  HostPaths paths_;
  std::string id_;
  const ContainerInventory* containers_ = nullptr;
  const ImageInventory* images_ = nullptr;
  const VolumeInventory* volumes_ = nullptr;
};

// A random RFC 4122 version-4 UUID.
Result<std::string> random_uuid();
// RFC 3339 with nanoseconds and a numeric zone, as Go prints time.Time.
std::string rfc3339_nano(int64_t unix_nanos);

}  // namespace berth::engine
