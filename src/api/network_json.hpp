// Docker's JSON for networking: the /networks bodies and the network parts
// of a container's inspect (NetworkSettings) and list entry (Ports,
// NetworkSettings.Networks). Plain functions, so the coroutine handlers
// never brace-initialise JSON (GCC 12 miscompiles that in coroutines).
#pragma once

#include <boost/json.hpp>
#include <string>

#include "engine/container.hpp"
#include "engine/container_network.hpp"
#include "engine/filters.hpp"

namespace berth::api {

// GET /networks (with dockerd's filters: driver, id, label, name, scope,
// type, dangling).
Result<boost::json::array> networks_list_json(engine::ContainerNetworking& n, const engine::Filters& filters);
// The same over the predefined networks only (networking off).
Result<boost::json::array> networks_list_json(const std::vector<net::Network>& nets, const engine::Filters& filters);
// GET /networks/{id}.
Result<boost::json::object> network_inspect_json(engine::ContainerNetworking& n, const std::string& ref);
// POST /networks/create: the request from the body; {"Id", "Warning"}.
Result<boost::json::object> network_create(engine::ContainerNetworking& n, const boost::json::value& body);
// POST /networks/{id}/connect and /disconnect bodies.
Result<> network_connect(engine::ContainerNetworking& n, const std::string& ref, const boost::json::value& body);
Result<> network_disconnect(engine::ContainerNetworking& n, const std::string& ref, const boost::json::value& body);
// {"NetworksDeleted": null}: a prune that removed nothing.
boost::json::object prune_nothing();
// POST /networks/prune: {"NetworksDeleted": [...]}.
Result<boost::json::object> network_prune(engine::ContainerNetworking& n, const engine::Filters& filters);

// Replaces inspect["NetworkSettings"] with the container's endpoints and
// published ports, and sets the *Path fields of the files berth wrote.
void fill_inspect_network(boost::json::object& inspect, const engine::Container& c,
                          engine::ContainerNetworking& n);
// Sets summary["Ports"] and summary["NetworkSettings"]["Networks"].
void fill_summary_network(boost::json::object& summary, const engine::Container& c,
                          engine::ContainerNetworking& n);

}  // namespace berth::api
