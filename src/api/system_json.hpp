// Docker's JSON shapes for the system endpoints and events, built from the
// engine's plain structs.
#pragma once

#include <boost/json/value.hpp>

#include "engine/events.hpp"
#include "engine/services.hpp"

namespace berth::api {

boost::json::value version_json(const engine::VersionInfo& v);
boost::json::value info_json(const engine::SystemInfo& i);
boost::json::value disk_usage_json(const engine::DiskUsage& du);
// {"status","id","from","Type","Action","Actor":{"ID","Attributes"},
//  "scope","time","timeNano"}; the legacy status/id/from only for
// container and image events, as dockerd fills them.
boost::json::value event_json(const engine::Event& e);

}  // namespace berth::api
