// IP address management: pure decisions (which subnet, which address,
// which host port), kept free of I/O so they are unit-tested exhaustively.
// Persistence and atomicity are the store's job (store.hpp): it runs these
// inside one SQLite transaction, so two allocations can never agree on the
// same address, across threads, processes or a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"
#include "net/model.hpp"

namespace berth::net::ipam {

// A pool is carved into subnets of `prefix` bits.
struct Pool {
  Subnet base;
  int prefix;
};

// Docker's defaults: 172.17.0.0/16 .. 172.31.0.0/16, then
// 192.168.0.0/16 in /20s, so berth networks look like Docker's.
std::vector<Pool> default_pools();

// The first subnet from `pools` that overlaps none of `taken`.
Result<Subnet> pick_subnet(const std::vector<Pool>& pools, const std::vector<Subnet>& taken);

// What the host already routes or has on its interfaces. The default route
// (0.0.0.0/0) is not "taken": everything would overlap it.
struct HostView {
  std::vector<Subnet> routes;
  std::vector<Subnet> addresses;  // interface address/prefix, masked
};
std::vector<Subnet> taken_by_host(const HostView& host);

// Fills in subnet-derived defaults and checks a request: gateway inside the
// subnet and not its network/broadcast address, ip-range inside the subnet.
Result<> validate(const Network& net);
// network + 1, the gateway Docker picks.
Ipv4 default_gateway(const Subnet& subnet);

// An address for a container: `want` (--ip) if free and legal, otherwise
// the next free one after `hint` (round-robin, as Docker does, so a freed
// address is not reused at once by the next container).
Result<Ipv4> pick_address(const Network& net, const std::set<uint32_t>& used, Ipv4 hint,
                          std::optional<Ipv4> want);

// Host ports. `taken` are bindings of other containers; `host_in_use` asks
// whether a host process already holds the port (may be empty).
struct PortRange {
  uint16_t first = 49153, last = 60999;
};
using PortProbe = std::function<bool(Ipv4 ip, Proto proto, uint16_t port)>;
Result<std::vector<PortBinding>> assign_ports(const std::vector<PortRequest>& requests,
                                              const std::vector<PortBinding>& taken,
                                              PortRange ephemeral, uint16_t& ephemeral_hint,
                                              const PortProbe& host_in_use);

// Whether two bindings would claim the same host socket (same protocol and
// port, and the same address or either on every address).
bool conflicts(const PortBinding& a, const PortBinding& b);

}  // namespace berth::net::ipam
