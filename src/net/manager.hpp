// The network manager: everything the engine asks of networking.
//
//   networks   create / remove / list / inspect / prune (Docker's /networks)
//   endpoints  connect / disconnect a container's namespace to a network
//              (veth, address, routes, published ports, DNS records)
//   files      /etc/hosts, /etc/hostname, /etc/resolv.conf for a container
//   reconcile  after a daemon crash: drop what belongs to dead containers
//
// All work runs on one Worker thread in the host namespace (see
// worker.hpp); public methods may be called from any thread.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/files/etc_files.hpp"
#include "net/ipam/ipam.hpp"
#include "net/model.hpp"

namespace berth::net {

struct ManagerOptions {
  std::string db_path;          // SQLite file (created)
  std::string host_netns_path;  // empty: the caller's namespace
  std::string default_bridge = kDefaultBridgeName;
  std::optional<Subnet> default_subnet;  // --bip; else chosen from the pools
  std::vector<ipam::Pool> pools = ipam::default_pools();
  std::string host_resolv_conf = "/etc/resolv.conf";
  // Upstreams for the embedded DNS; empty: the host's usable nameservers.
  std::vector<std::string> dns_upstreams;
  uint16_t dns_port = 53;
  // Refuse host ports a host process already holds (bind probe).
  bool probe_host_ports = true;
  uint32_t mtu = 0;  // 0: the host's default-route interface MTU
};

struct AttachRequest {
  std::string container_id;
  std::string name;  // container name (DNS, /etc/hosts)
  std::vector<std::string> aliases;
  std::string netns_path;  // /proc/<pid>/ns/net or a bind-mounted nsfs file
  std::optional<Ipv4> ip;  // --ip (user networks)
  std::optional<Mac> mac;  // --mac-address
  std::vector<PortRequest> ports;
  std::vector<std::string> dns_servers;  // --dns
};

// Where connect spends its time, in microseconds (for the benchmark).
struct SetupTimings {
  double netns_us = 0;   // open the namespace, netlink socket inside it
  double ipam_us = 0;    // lease + ports in one SQLite transaction
  double veth_us = 0;    // create the pair (peer born in the namespace), hairpin
  double inside_us = 0;  // lo, eth up, address, default route
  double nft_us = 0;     // published port elements
  double dns_us = 0;     // records update
  double total_us = 0;
};

struct ReconcileReport {
  std::vector<std::string> removed_endpoints;  // "network/container"
  std::vector<std::string> removed_links;      // stale veths and bridges
  // Live containers whose recorded host veth is gone (their namespace was
  // replaced, or the veth was deleted by hand): the engine should
  // disconnect and connect them again.
  std::vector<std::string> broken_endpoints;  // "network/container"
  bool ruleset_rewritten = false;
};

struct ContainerFiles {
  std::string hosts, hostname, resolv_conf;
};

class Manager {
 public:
  // Opens the store, creates the default network if needed, and brings
  // the kernel in line with the store (bridges, addresses, forwarding,
  // nftables, DNS listeners): the reconcile-at-start.
  static Result<std::unique_ptr<Manager>> open(ManagerOptions options);
  virtual ~Manager() = default;

  virtual Result<Network> create_network(NetworkRequest request) = 0;
  virtual Result<> remove_network(const std::string& name_or_id) = 0;
  virtual Result<std::vector<Network>> networks() = 0;
  // By full id, unique id prefix, or name (Docker's lookup order).
  virtual Result<Network> inspect(const std::string& name_or_id) = 0;
  // Removes user networks without endpoints; returns their names.
  virtual Result<std::vector<std::string>> prune() = 0;

  virtual Result<Endpoint> connect(const std::string& network, const AttachRequest& request,
                                   SetupTimings* timings = nullptr) = 0;
  virtual Result<> disconnect(const std::string& network, const std::string& container_id) = 0;
  // Every endpoint of a container (its removal).
  virtual Result<> release_container(const std::string& container_id) = 0;
  // `docker rename`: the embedded DNS answers to the new name only.
  virtual Result<> rename_container(const std::string& container_id, const std::string& name) = 0;
  // Endpoints of one container, or all with an empty id.
  virtual Result<std::vector<Endpoint>> endpoints(const std::string& container_id = "") = 0;

  // Brings lo up in a namespace (--network none, and any new namespace).
  virtual Result<> setup_loopback(const std::string& netns_path) = 0;

  // The three files for a container after its endpoints are connected.
  // `host_mode`: the host's resolv.conf as is, no own address line.
  virtual Result<ContainerFiles> container_files(const std::string& container_id, HostsSpec hosts,
                                                 const DnsSpec& dns, bool host_mode) = 0;

  // After a crash: endpoints of containers not in `live` are released,
  // berth veths and bridges the store does not know are deleted, and the
  // ruleset is rewritten from the store.
  virtual Result<ReconcileReport> reconcile(const std::set<std::string>& live) = 0;
};

}  // namespace berth::net
