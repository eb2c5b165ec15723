// The Docker Engine API: binds routes to the engine's service interfaces.
// Each group of endpoints registers itself only when its service is
// present, so containers, images, networks and volumes join by adding a
// pointer here and an add_*_routes() beside add_system_routes().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/router.hpp"
#include "engine/container.hpp"
#include "engine/container_network.hpp"
#include "engine/container_ops.hpp"
#include "engine/events.hpp"
#include "engine/image_service.hpp"
#include "engine/services.hpp"
#include "engine/volume_service.hpp"

namespace berth::api {

struct Services {
  engine::SystemService* system = nullptr;
  engine::EventBus* events = nullptr;
  engine::ImageService* images = nullptr;
  engine::ContainerService* containers = nullptr;
  engine::ContainerNetworking* networks = nullptr;  // null: networking is off
  // With networking off (--bridge none): `host` and `none`, which the
  // network API still shows as dockerd --bridge=none does.
  std::vector<net::Network> predefined_networks = {};
  engine::ContainerOperations* container_ops = nullptr;  // exec, top, stats, ...
  engine::VolumeService* volumes = nullptr;  // null: no /volumes, no inspect Mounts
  std::string storage_driver = "overlayfs";  // reported by container inspect
};

// /_ping, /version, /info, /system/df.
Result<> add_system_routes(Router& router, const Services& services);
// /events.
Result<> add_event_routes(Router& router, const Services& services);
// /images/... (local images: list, inspect, history, tag, delete, prune,
// load, get, import).
Result<> add_image_routes(Router& router, const Services& services);
Result<> add_image_io_routes(Router& router, engine::ImageService& images);

// /containers/... (lifecycle, inspect, list) and the streams (logs, attach).
Result<> add_container_routes(Router& router, const Services& services);
Result<> add_container_stream_routes(Router& router, const Services& services);
// /containers/{id}/exec, /exec/..., top, stats, pause, rename, ...
Result<> add_container_ops_routes(Router& router, const Services& services);
Result<> add_exec_routes(Router& router, const Services& services);
Result<> add_container_archive_routes(Router& router, const Services& services);

// /networks/... and the network parts of container inspect/list.
Result<> add_network_routes(Router& router, const Services& services);

// /volumes/... and the "Mounts" of container inspect/list.
Result<> add_volume_routes(Router& router, const Services& services);
boost::json::array container_mounts_json(const engine::Container& c, engine::VolumeService& volumes);

Result<Router> docker_router(const Services& services);

// dockerd's timestamps in `since`/`until`: "<seconds>[.<nanoseconds>]",
// returned as Unix nanoseconds.
Result<int64_t> parse_timestamp(std::string_view value);

}  // namespace berth::api
