// nftables rules as data: berth's whole firewall state is a pure function
// of its networks and endpoints, rendered as nft script text. berth owns
// exactly two tables and never reads or writes any other:
//
//   table inet berth      forward filter: isolation between networks,
//                         internal networks, inbound only when published
//                         or established
//   table ip berth-nat    DNAT of published ports (prerouting for traffic
//                         from outside and from containers, output for the
//                         host itself incl. 127.0.0.1), masquerade
//
// Published ports are elements of verdict-free maps keyed by host port
// (and host address), so adding or removing one container's ports is an
// element change that touches nothing else, and lookups stay O(1) however
// many containers publish ports.
#pragma once

#include <string>
#include <vector>

#include "net/model.hpp"

namespace berth::net::nft {

inline constexpr const char* kFilterTable = "berth";     // family inet
inline constexpr const char* kNatTable = "berth-nat";    // family ip

// Replaces both tables, atomically (one nft transaction), with the state
// for `networks` and the published ports of `endpoints`.
std::string full_ruleset(const std::vector<Network>& networks,
                         const std::vector<Endpoint>& endpoints);

// Adds / deletes exactly one endpoint's published ports (nothing when it
// has none or its network is internal).
std::string add_ports(const Network& net, const Endpoint& ep);
std::string delete_ports(const Network& net, const Endpoint& ep);

// Deletes both tables (reconcile when no network is left; tests).
std::string delete_all();

}  // namespace berth::net::nft
