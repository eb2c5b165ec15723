// The networking data model. Shaped so the Docker API is a thin mapping:
//   Network  -> GET /networks/{id}   (Id, Name, Driver, IPAM.Config[0]
//               {Subnet, Gateway, IPRange}, Internal, Labels, Options, Created)
//   Endpoint -> NetworkSettings.Networks[name] (EndpointID, IPAddress,
//               Gateway, IPPrefixLen, MacAddress, Aliases, NetworkID)
//   PortBinding -> NetworkSettings.Ports["80/tcp"] = [{HostIp, HostPort}]
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"

namespace berth::net {

inline constexpr const char* kDefaultNetworkName = "bridge";
inline constexpr const char* kDefaultBridgeName = "berth0";

struct Network {
  std::string id;    // 64 hex digits, like Docker's
  std::string name;  // unique
  std::string driver = "bridge";
  Subnet subnet;
  Ipv4 gateway;
  std::optional<Subnet> ip_range;  // containers get addresses only from here
  bool internal = false;           // no outbound traffic, no published ports
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
  std::string created;  // RFC 3339, UTC
  std::string bridge;   // kernel device: berth0, or br-<id[0:12]>

  bool is_default() const { return name == kDefaultNetworkName; }
  // Docker's embedded DNS serves user-defined networks only; the default
  // bridge uses the host's resolvers and /etc/hosts links.
  bool has_dns() const { return !is_default(); }
};

// What `network create` asks for; unset fields are chosen.
struct NetworkRequest {
  std::string name;
  std::string driver = "bridge";
  std::optional<Subnet> subnet;
  std::optional<Ipv4> gateway;
  std::optional<Subnet> ip_range;
  bool internal = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
  std::string bridge;  // empty: br-<id[0:12]> (berth0 for the default)
};

enum class Proto { Tcp, Udp };
std::string_view proto_name(Proto p);

// One published port after allocation: host ip:port -> container port.
struct PortBinding {
  Ipv4 host_ip;  // 0.0.0.0 = every host address
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  Proto proto = Proto::Tcp;

  // Docker's key, "80/tcp".
  std::string port_key() const;
  bool operator==(const PortBinding&) const = default;
};

// One -p/--publish request before allocation (host ports 0 = ephemeral).
struct PortRequest {
  std::optional<Ipv4> host_ip;
  uint16_t host_port_first = 0, host_port_last = 0;
  uint16_t container_port_first = 0, container_port_last = 0;
  Proto proto = Proto::Tcp;
};

// A container's attachment to one network.
struct Endpoint {
  std::string id;  // endpoint id (64 hex)
  std::string network_id;
  std::string container_id;
  std::string name;  // container name (DNS and /etc/hosts)
  std::vector<std::string> aliases;
  Ipv4 ip;
  Mac mac;
  std::string host_veth;  // host end of the pair
  std::string ifname;     // inside the container: eth0, eth1, ...
  std::vector<PortBinding> ports;
};

// How a container is networked (HostConfig.NetworkMode).
struct NetworkMode {
  enum class Kind { Bridge, None, Host, Container, Network } kind = Kind::Bridge;
  std::string target;  // container id/name for Container, network name for Network

  static Result<NetworkMode> parse(std::string_view text);
  std::string str() const;
  // Modes that get their own namespace with berth-made interfaces.
  bool creates_interfaces() const { return kind == Kind::Bridge || kind == Kind::Network; }
};

// Random 64-hex identifiers (network and endpoint ids), from getrandom.
std::string random_id();
// Now as RFC 3339 with nanoseconds, UTC, as Docker prints Created.
std::string now_rfc3339();

}  // namespace berth::net
