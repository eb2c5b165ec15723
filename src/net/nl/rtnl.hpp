// rtnetlink operations berth needs: bridges, veth pairs, link settings,
// IPv4 addresses and routes, and the dumps IPAM and reconcile read.
//
// Each operation is a build_* function (pure: returns the request, golden
// tested without root) and a thin executor that sends it on a Socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"
#include "net/nl/message.hpp"
#include "net/nl/socket.hpp"

namespace berth::net::nl {

struct LinkSpec {
  std::string name;
  uint32_t mtu = 0;             // 0: kernel default
  std::optional<Mac> mac;
  bool up = false;
  int master = 0;               // ifindex of a bridge to enslave to, 0: none
  int netns_fd = -1;            // create/move into this namespace, -1: here
};

// One veth pair; `host` stays in the socket's namespace, `peer` may be
// created directly inside the container's namespace (IFLA_NET_NS_FD on the
// peer), already named eth0, which spares a move and a rename.
struct VethSpec {
  LinkSpec host;
  LinkSpec peer;
};

struct LinkInfo {
  int index = 0;
  std::string name;
  std::string kind;  // "bridge", "veth", "" for physical
  uint32_t mtu = 0;
  int master = 0;
  bool up = false;
  std::optional<Mac> mac;
};

struct AddrInfo {
  int index = 0;
  Ipv4 address;
  int prefix = 0;
};

struct RouteInfo {
  Subnet dst;              // 0.0.0.0/0 for the default route
  std::optional<Ipv4> gateway;
  int oif = 0;
  uint32_t table = 0;
};

// Builders.
Message build_create_bridge(const LinkSpec& spec);
Message build_create_veth(const VethSpec& spec);
Message build_delete_link(int index);
Message build_delete_link(const std::string& name);
Message build_set_up(int index, bool up);
Message build_set_master(int index, int master);
Message build_set_mtu(int index, uint32_t mtu);
Message build_set_mac(int index, const Mac& mac);
Message build_set_name(int index, const std::string& name);
Message build_set_netns(int index, int netns_fd);
Message build_set_hairpin(int index, bool on);
Message build_add_address(int index, Ipv4 address, int prefix);
Message build_add_default_route(int oif, Ipv4 gateway);

// Executors on a socket (in whatever namespace the socket lives).
Result<> create_bridge(Socket& s, const LinkSpec& spec);
Result<> create_veth(Socket& s, const VethSpec& spec);
Result<> delete_link(Socket& s, const std::string& name);
Result<> set_up(Socket& s, int index, bool up);
Result<> set_master(Socket& s, int index, int master);
Result<> set_mtu(Socket& s, int index, uint32_t mtu);
Result<> set_mac(Socket& s, int index, const Mac& mac);
Result<> set_name(Socket& s, int index, const std::string& name);
Result<> set_netns(Socket& s, int index, int netns_fd);
Result<> set_hairpin(Socket& s, int index, bool on);
Result<> add_address(Socket& s, int index, Ipv4 address, int prefix);
Result<> add_default_route(Socket& s, int oif, Ipv4 gateway);

// Queries. get_link returns NotFound for a missing name.
Result<LinkInfo> get_link(Socket& s, const std::string& name);
Result<std::vector<LinkInfo>> list_links(Socket& s);
Result<std::vector<AddrInfo>> list_ipv4_addresses(Socket& s);
Result<std::vector<RouteInfo>> list_ipv4_routes(Socket& s);

// The MTU of the interface the host's default route leaves through, which
// is what containers should use (Docker uses 1500 unless told; taking the
// host's avoids fragmentation on tunnels and clouds with MTU < 1500).
// 1500 when there is no default route.
Result<uint32_t> default_route_mtu(Socket& s);

}  // namespace berth::net::nl
