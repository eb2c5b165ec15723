// Internal: the Manager implementation shared by manager*.cpp. Every
// member below is touched only on worker_'s thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>

#include "net/dns/server.hpp"
#include "net/manager.hpp"
#include "net/nft/nft.hpp"
#include "net/nl/rtnl.hpp"
#include "net/store.hpp"
#include "net/worker.hpp"

namespace berth::net {

class ManagerImpl final : public Manager {
 public:
  explicit ManagerImpl(ManagerOptions options) : options_(std::move(options)) {}
  ~ManagerImpl() override;
  Result<> start();

  Result<Network> create_network(NetworkRequest request) override;
  Result<> remove_network(const std::string& name_or_id) override;
  Result<std::vector<Network>> networks() override;
  Result<Network> inspect(const std::string& name_or_id) override;
  Result<std::vector<std::string>> prune() override;
  Result<Endpoint> connect(const std::string& network, const AttachRequest& request,
                           SetupTimings* timings) override;
  Result<> disconnect(const std::string& network, const std::string& container_id) override;
  Result<> release_container(const std::string& container_id) override;
  Result<std::vector<Endpoint>> endpoints(const std::string& container_id) override;
  Result<> rename_container(const std::string& container_id, const std::string& name) override;
  Result<> setup_loopback(const std::string& netns_path) override;
  Result<ContainerFiles> container_files(const std::string& container_id, HostsSpec hosts,
                                         const DnsSpec& dns, bool host_mode) override;
  Result<ReconcileReport> reconcile(const std::set<std::string>& live) override;

  // --- on the worker ---------------------------------------------------
  Result<> init_on_worker();
  Result<Network> do_create_network(NetworkRequest request, bool is_default);
  Result<> do_remove_network(const Network& net);
  Result<Network> find_network(const std::string& name_or_id);
  Result<> ensure_bridge(const Network& net);
  Result<> apply_full_ruleset();
  Result<> enable_forwarding();
  Result<> refresh_dns(const Network& net);
  Result<> serve_dns(const Network& net);
  Result<Endpoint> do_connect(const Network& net, const AttachRequest& req, SetupTimings& t);
  Result<> do_disconnect(const Network& net, const Endpoint& ep);
  Result<std::vector<Endpoint>> endpoints_of(const std::string& container_id);
  Result<ReconcileReport> do_reconcile(const std::set<std::string>& live);
  bool host_port_in_use(Ipv4 ip, Proto proto, uint16_t port) const;

  ManagerOptions options_;
  std::unique_ptr<NetStore> store_;
  std::optional<nl::Socket> nl_;
  std::optional<nft::Nft> nft_;
  std::unique_ptr<dns::Server> dns_;
  ipam::PortRange ephemeral_;
  uint32_t mtu_ = 1500;
  ResolvConf host_resolv_;
  std::string host_resolv_text_;
  bool forwarding_enabled_ = false;
  std::map<std::string, int> bridge_index_;  // bridge name -> ifindex
  // Declared last: destroyed first, so no job runs while the rest goes.
  std::unique_ptr<Worker> worker_;
};

// "vb" + 8 hex digits of a stable hash of (container, network): the host
// end's name is known before it exists, so a crash between creating it
// and recording it can be cleaned up by name.
std::string host_veth_name(const std::string& container_id, const std::string& network_id);
inline constexpr const char* kVethPrefix = "vb";
inline constexpr const char* kUserBridgePrefix = "br-";

inline double micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace berth::net
