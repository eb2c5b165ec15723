// Container networking in the engine: the glue between the container
// service and net::Manager, and the network service the /networks routes
// call.
//
// A container's networks are its HostConfig.NetworkMode plus what
// NetworkingConfig and `network connect` add; they are kept in
// <container dir>/networks.json (the order matters: the first one is the
// primary network, eth0, and carries the published ports).
//
// The container's network namespace is the one the runtime creates from
// the OCI spec. berthd connects it through /proc/<init pid>/ns/net after
// the monitor reported the container *created* and before it is started
// (the init waits at the runtime's exec barrier), instead of bind-mounting
// a namespace file first: nothing has to be created, mounted or cleaned up
// besides what the kernel already owns, the namespace dies with the
// container (and its veth with it, so a crashed berthd leaves no veth of a
// dead container behind), and the connect costs no extra thread setns.
// The price is that the address is known only after the runtime created
// the container, so /etc/hosts and /etc/resolv.conf are rewritten in place
// (same inode, which the bind mounts pin) before the process starts.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "engine/events.hpp"
#include "engine/filters.hpp"
#include "net/manager.hpp"

namespace berth::engine {

struct SpecPaths;

// One network a container is (to be) attached to.
struct NetworkAttachment {
  std::string network;  // name or id, as the user gave it
  std::vector<std::string> aliases;
  std::string ipv4;  // --ip
  std::string mac;   // --mac-address
};

struct ContainerNetworkConfig {
  net::NetworkMode mode;
  std::vector<NetworkAttachment> networks;  // Bridge/Network modes only
};

class ContainerNetworking {
 public:
  explicit ContainerNetworking(std::unique_ptr<net::Manager> manager);

  // For container:<name> modes and `network connect`.
  void set_containers(ContainerService* containers) { containers_ = containers; }
  // `docker events` of type network (create, destroy, connect, disconnect).
  void set_events(EventBus* events) { events_ = events; }
  net::Manager& manager() { return *manager_; }

  // --- hooks of the container service ---
  // At create: checks the mode and networks, writes networks.json.
  Result<> created(const Container& c, std::string_view create_body);
  // Before the monitor is spawned: writes hostname, hosts and resolv.conf
  // and fills their paths and the namespace to join (container:<id>).
  Result<> prepare(const Container& c, SpecPaths& paths);
  // After the runtime created the container, before it starts: connects
  // its namespace and rewrites hosts/resolv.conf with its addresses.
  Result<> attach(const Container& c, int64_t init_pid);
  // The container stopped (or failed to start) or is removed: endpoints,
  // leases and published ports go.
  void detach(const Container& c);
  // At daemon start, after re-adoption: releases what belongs to
  // containers that are not running and reconnects broken endpoints of
  // the running ones.
  void reconcile(const std::vector<Container>& running);

  // `docker ps` filters network, publish and expose (true when absent).
  bool matches(const Container& c, const Filters& f);

  // `docker rename`: endpoints and DNS records take the new name.
  void renamed(const Container& c);

  // --- the network service (API) ---
  Result<ContainerNetworkConfig> config_of(const Container& c) const;
  // The manager's calls, plus their events.
  Result<net::Network> create_network(net::NetworkRequest request);
  Result<> remove_network(const std::string& ref);
  Result<std::vector<std::string>> prune();
  // Live connect/disconnect; on a stopped container only networks.json.
  Result<> connect(const std::string& network, const std::string& container,
                   NetworkAttachment attachment);
  Result<> disconnect(const std::string& network, const std::string& container, bool force);
  // The timings of the last connect (benchmark and debug log).
  net::SetupTimings last_timings() const;

  // dockerd's predefined `host` and `none` networks (API only, see
  // container_network_predefined.cpp); by name, id or id prefix.
  void set_predefined(std::vector<net::Network> networks) { predefined_ = std::move(networks); }
  const std::vector<net::Network>& predefined_networks() const { return predefined_; }
  std::optional<net::Network> predefined(const std::string& ref) const;

 private:
  Result<> connect_one(const Container& c, const NetworkAttachment& a, bool primary,
                       const std::string& netns);
  Result<> write_files(const Container& c, const ContainerNetworkConfig& cfg, bool after_connect);
  void publish(const std::string& action, const net::Network& n, const std::string& container = "");

  std::unique_ptr<net::Manager> manager_;
  ContainerService* containers_ = nullptr;
  EventBus* events_ = nullptr;
  mutable std::mutex mu_;    // last timings
  std::mutex connect_mu_;    // networks.json read-modify-write
  net::SetupTimings timings_;
  std::vector<net::Network> predefined_;
};

// The `host` and `none` networks' ids, made on first use and kept in `path`.
Result<std::vector<net::Network>> load_predefined_networks(const std::string& path);
// One of them by name, id or id prefix.
std::optional<net::Network> find_predefined(const std::vector<net::Network>& networks, const std::string& ref);

// The daemon's networking (net::Manager with its store in
// <data-root>/network/net.db); null when `bridge` is "none".
Result<std::unique_ptr<ContainerNetworking>> open_container_networking(const std::string& data_root,
                                                                       const std::string& bridge,
                                                                       const std::string& bip);

// Published ports of a container from its stored Config/HostConfig:
// PortBindings, and with PublishAllPorts every ExposedPorts entry.
Result<std::vector<net::PortRequest>> port_requests(const Container& c);
// Config.ExposedPorts keys ("80/tcp").
std::vector<std::string> exposed_ports(const Container& c);

}  // namespace berth::engine
