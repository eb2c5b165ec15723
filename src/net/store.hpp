// Persistence for networks, endpoints (each holds its address lease) and
// published ports. An interface so the engine can later back it with
// src/store's migrations; SqliteNetStore is the implementation today.
//
// The guarantee IPAM needs lives here: add_endpoint picks the address and
// the host ports and records them in ONE transaction, and the schema makes
// (network, address) and (protocol, host port, host address) unique, so no
// interleaving of threads, processes or a crash can hand out one address
// or port twice.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipam/ipam.hpp"
#include "net/model.hpp"

namespace berth::net {

struct EndpointRequest {
  Endpoint endpoint;  // ip, ports filled in by add_endpoint
  std::optional<Ipv4> want_ip;
  std::vector<PortRequest> ports;
  ipam::PortRange ephemeral;
  ipam::PortProbe host_in_use;  // may be empty
};

class NetStore {
 public:
  virtual ~NetStore() = default;

  // Conflict if the name, id, bridge or an overlapping subnet exists.
  virtual Result<> add_network(const Network& net) = 0;
  // Conflict while endpoints remain; NotFound if absent.
  virtual Result<> remove_network(const std::string& id) = 0;
  virtual Result<std::vector<Network>> networks() = 0;

  // Leases an address (want_ip or the next free one) and host ports, and
  // records the endpoint; returns it completed.
  virtual Result<Endpoint> add_endpoint(const Network& net, EndpointRequest request) = 0;
  // Releases the endpoint's address and ports. NotFound if absent.
  virtual Result<> remove_endpoint(const std::string& network_id,
                                   const std::string& container_id) = 0;
  virtual Result<std::vector<Endpoint>> endpoints() = 0;
  // Aliases change on connect to another network only; this is for
  // records the caller completed after creation (host_veth, ifname).
  virtual Result<> update_endpoint_link(const std::string& endpoint_id,
                                        const std::string& host_veth,
                                        const std::string& ifname) = 0;
  // `docker rename`: the name every endpoint of the container answers to.
  virtual Result<> rename_container(const std::string& container_id, const std::string& name) = 0;
};

// SQLite in WAL mode with synchronous=NORMAL: a committed transaction
// survives any crash of the daemon (only a power loss can undo the last
// ones, and then the kernel state they describe is gone too).
Result<std::unique_ptr<NetStore>> open_sqlite_store(const std::string& path);

}  // namespace berth::net
