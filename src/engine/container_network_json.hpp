// The stored JSON a container's networking is read from: HostConfig
// (NetworkMode, PortBindings, PublishAllPorts, Dns*, ExtraHosts), Config
// (ExposedPorts, Hostname, MacAddress), the create body's
// NetworkingConfig, and <container dir>/networks.json, berth's record of
// the networks a container is attached to.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "engine/container_network.hpp"

namespace berth::engine {

// An object, or an empty one for anything else (the stored documents were
// validated when the container was created).
boost::json::object parse_json_object(std::string_view text);
std::string json_string(const boost::json::object& o, std::string_view key);
std::vector<std::string> json_strings(const boost::json::object& o, std::string_view key);

// NetworkMode plus NetworkingConfig.EndpointsConfig of a create body.
Result<ContainerNetworkConfig> network_config_from_create(const Container& c, std::string_view body);
// networks.json, or (absent) what the HostConfig alone says.
Result<ContainerNetworkConfig> load_network_config(const Container& c);
Result<> save_network_config(const Container& c, const ContainerNetworkConfig& cfg);

}  // namespace berth::engine
