#include "net/docker_json.hpp"

#include <algorithm>

#include "net/ports.hpp"

namespace berth::net {

namespace {

boost::json::object string_map(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

}  // namespace

boost::json::object network_json(const Network& net, const std::vector<Endpoint>& endpoints) {
  boost::json::array ipam_configs;
  // The predefined host and none networks have no addresses.
  if (net.driver == "bridge") {
    boost::json::object ipam_config{{"Subnet", net.subnet.str()}, {"Gateway", net.gateway.str()}};
    if (net.ip_range) ipam_config["IPRange"] = net.ip_range->str();
    ipam_configs.push_back(std::move(ipam_config));
  }
  boost::json::object containers;
  for (const auto& ep : endpoints) {
    if (ep.network_id != net.id) continue;
    containers[ep.container_id] =
        boost::json::object{{"Name", ep.name},
                            {"EndpointID", ep.id},
                            {"MacAddress", ep.mac.str()},
                            {"IPv4Address", ep.ip.str() + "/" + std::to_string(net.subnet.prefix)},
                            {"IPv6Address", ""}};
  }
  auto options = string_map(net.options);
  // dockerd shows the device name for its default network only.
  if (net.is_default()) options["com.docker.network.bridge.name"] = net.bridge;
  return boost::json::object{
      {"Name", net.name},
      {"Id", net.id},
      {"Created", net.created},
      {"Scope", "local"},
      {"Driver", net.driver},
      {"EnableIPv6", false},
      {"IPAM", boost::json::object{{"Driver", "default"},
                                   {"Options", net.driver == "bridge" ? boost::json::value(boost::json::object{})
                                                                          : boost::json::value(nullptr)},
                                   {"Config", std::move(ipam_configs)}}},
      {"Internal", net.internal},
      {"Attachable", false},
      {"Ingress", false},
      {"ConfigFrom", boost::json::object{{"Network", ""}}},
      {"ConfigOnly", false},
      {"Containers", containers},
      {"Options", options},
      {"Labels", string_map(net.labels)}};
}

boost::json::object endpoint_settings_json(const Network& net, const Endpoint& ep,
                                           bool requested_ip) {
  boost::json::value ipam = nullptr;
  if (requested_ip) ipam = boost::json::object{{"IPv4Address", ep.ip.str()}};
  boost::json::value aliases = nullptr;
  // Docker lists aliases only on user-defined networks.
  if (!net.is_default()) {
    boost::json::array a;
    for (const auto& alias : ep.aliases) a.emplace_back(alias);
    // dockerd 20.10 adds the short id, which its DNS answers for too.
    std::string short_id = ep.container_id.substr(0, 12);
    if (std::find(ep.aliases.begin(), ep.aliases.end(), short_id) == ep.aliases.end())
      a.emplace_back(short_id);
    aliases = std::move(a);
  }
  return boost::json::object{{"IPAMConfig", ipam},       {"Links", nullptr},
                             {"Aliases", aliases},       {"NetworkID", net.id},
                             {"EndpointID", ep.id},      {"Gateway", net.gateway.str()},
                             {"IPAddress", ep.ip.str()}, {"IPPrefixLen", net.subnet.prefix},
                             {"IPv6Gateway", ""},        {"GlobalIPv6Address", ""},
                             {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ep.mac.str()},
                             {"DriverOpts", nullptr}};
}

boost::json::object ports_json(const std::vector<PortBinding>& bindings,
                               const std::vector<std::string>& exposed) {
  boost::json::object out;
  for (const auto& e : exposed) {
    // "8080" means "8080/tcp".
    out[e.find('/') == std::string::npos ? e + "/tcp" : e] = nullptr;
  }
  for (const auto& [key, hosts] : docker_ports(bindings)) {
    boost::json::array list;
    for (const auto& h : hosts)
      list.push_back(boost::json::object{{"HostIp", h.host_ip}, {"HostPort", h.host_port}});
    out[key] = std::move(list);
  }
  return out;
}

}  // namespace berth::net
