// Docker's JSON shapes for images: ImageSummary (GET /images/json),
// ImageInspect (GET /images/{name}/json), history items, delete and prune
// responses. Version-dependent fields follow dockerd: VirtualSize until
// API 1.43, the "<none>" placeholders for untagged images before 1.43,
// Container/ContainerConfig before 1.45.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "engine/image_service.hpp"

namespace berth::api {

bool api_below(std::string_view version, std::string_view than);

boost::json::value image_summary_json(const engine::ImageSummary& s, std::string_view version);
boost::json::value image_inspect_json(const engine::ImageDetails& d, std::string_view version);
boost::json::value image_history_json(const std::vector<engine::ImageHistoryItem>& items);
boost::json::value image_delete_json(const std::vector<engine::ImageDeleted>& items);
boost::json::value image_prune_json(const engine::ImagePruneReport& report);
// The image's container config as dockerd renders its container.Config:
// every field present, in its order, unknown fields dropped.
boost::json::value container_config_json(const boost::json::object& raw);

}  // namespace berth::api
