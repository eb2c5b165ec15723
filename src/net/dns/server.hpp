// The embedded DNS server for user-defined networks.
//
// Where it listens: on each user network's gateway address, port 53, in
// the host namespace (as podman's aardvark-dns does), rather than on
// 127.0.0.11 inside every container (Docker's way). One UDP and one TCP
// socket per network serve all its containers; container setup costs
// nothing extra (no socket or DNAT rule inside each container namespace,
// which would eat into the 5 ms setup budget and would need a thread in
// every container namespace); and the daemon owns the sockets, so they
// survive nothing and leak nothing when a container dies.
//
// What it answers: A records for the names, aliases and short ids of
// containers on the same network (several containers under one alias
// give several records), PTR for their addresses, an empty NOERROR for
// other types of known names; everything else is forwarded to the
// upstream servers (the container's --dns servers, else the host's) and
// relayed back. Isolation: a query is only answered if its source
// address belongs to the network whose socket received it and (UDP) it
// came in through that network's bridge, so a container cannot learn
// another network's names by asking that network's gateway, not even
// with a spoofed source. Internal networks answer only their own names.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"

namespace berth::net::dns {

struct Upstream {
  Ipv4 ip;
  uint16_t port = 53;
  static Result<Upstream> parse(std::string_view text);  // "a.b.c.d" or "a.b.c.d:port"
};

struct Entry {
  std::string container_id;
  std::vector<std::string> names;  // container name and aliases
  Ipv4 ip;
  std::vector<Upstream> upstreams;  // --dns of this container; empty: server default
};

struct NetworkConfig {
  std::string id;
  Ipv4 listen;
  uint16_t port = 53;
  Subnet subnet;
  bool internal = false;
  // The bridge's ifindex: UDP queries must arrive through it (0: any).
  int ifindex = 0;
};

class Server {
 public:
  // Starts the serving thread. Sockets are created on that thread, which
  // inherits the caller's network namespace: start it from the thread
  // that lives in the host namespace.
  static Result<std::unique_ptr<Server>> start(std::vector<Upstream> default_upstreams);
  virtual ~Server() = default;

  virtual Result<> add_network(const NetworkConfig& config) = 0;
  virtual Result<> remove_network(const std::string& id) = 0;
  // Replaces the records of one network.
  virtual Result<> set_entries(const std::string& network_id, std::vector<Entry> entries) = 0;
  virtual Result<> set_default_upstreams(std::vector<Upstream> upstreams) = 0;
};

}  // namespace berth::net::dns
