// -p/--publish syntax and Docker's shapes for published ports.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "net/model.hpp"

namespace berth::net {

// Parses one --publish value, Docker's grammar:
//   [ip:][hostPort[-hostPortEnd]]:containerPort[-containerPortEnd][/tcp|/udp]
//   containerPort[-end][/proto]           (ephemeral host port)
Result<PortRequest> parse_publish(std::string_view spec);

// -P: every exposed port ("80/tcp", "53/udp", "8080") on an ephemeral port.
Result<std::vector<PortRequest>> publish_all(const std::vector<std::string>& exposed);

// NetworkSettings.Ports: "80/tcp" -> [{HostIp, HostPort}], in Docker's order.
struct HostBinding {
  std::string host_ip;
  std::string host_port;
};
std::map<std::string, std::vector<HostBinding>> docker_ports(
    const std::vector<PortBinding>& bindings);

// The `docker ps` column: "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp".
std::string ports_summary(const std::vector<PortBinding>& bindings);

}  // namespace berth::net
