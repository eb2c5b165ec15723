// The Docker Engine API's JSON shapes for networks, so the API layer only
// routes: GET /networks and /networks/{id} bodies, a container's
// NetworkSettings.Networks[name] (EndpointSettings) and
// NetworkSettings.Ports. Field names and defaults follow the Docker
// Engine API (v1.41+) as dockerd renders them.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "net/model.hpp"

namespace berth::net {

// A network as GET /networks/{id} returns it; `endpoints` are the
// network's (they fill "Containers").
boost::json::object network_json(const Network& net, const std::vector<Endpoint>& endpoints);

// NetworkSettings.Networks[net.name] for one endpoint. `requested_ip`:
// the --ip the user asked for (IPAMConfig), if any.
boost::json::object endpoint_settings_json(const Network& net, const Endpoint& ep,
                                           bool requested_ip);

// NetworkSettings.Ports: every exposed port ("80/tcp"), null when not
// published, else the list of its host bindings.
boost::json::object ports_json(const std::vector<PortBinding>& bindings,
                               const std::vector<std::string>& exposed);

}  // namespace berth::net
