// Endpoints: connecting a container's namespace to a network and back.
#include <fmt/format.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "net/manager_impl.hpp"
#include "net/netns.hpp"
#include "net/nft/ruleset.hpp"

namespace berth::net {

using Clock = std::chrono::steady_clock;

std::string host_veth_name(const std::string& container_id, const std::string& network_id) {
  uint32_t h = 2166136261u;  // FNV-1a: stable across builds and runs
  for (char c : container_id + "/" + network_id) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return fmt::format("{}{:08x}", kVethPrefix, h);
}

namespace {

// The lowest ethN not present in the container's namespace.
std::string free_ifname(const std::vector<nl::LinkInfo>& links) {
  for (int i = 0;; ++i) {
    auto name = fmt::format("eth{}", i);
    bool used = false;
    for (const auto& l : links) used |= l.name == name;
    if (!used) return name;
  }
}

}  // namespace

Result<std::vector<Endpoint>> ManagerImpl::endpoints_of(const std::string& container_id) {
  auto all = TRY(store_->endpoints());
  if (container_id.empty()) return all;
  std::vector<Endpoint> out;
  for (auto& e : all)
    if (e.container_id == container_id) out.push_back(std::move(e));
  return out;
}

Result<Endpoint> ManagerImpl::do_connect(const Network& net, const AttachRequest& req,
                                         SetupTimings& t) {
  auto start = Clock::now();
  auto ns = TRY(open_netns(req.netns_path));
  auto inside = TRY(nl::Socket::open_in(ns.get()));
  auto existing = TRY(endpoints_of(req.container_id));
  bool first = existing.empty();
  // A container's first network is eth0; only later ones need a look at
  // what the namespace already has.
  std::string ifname = first ? "eth0" : free_ifname(TRY(nl::list_links(inside)));
  t.netns_us = micros_since(start);

  auto step = Clock::now();
  EndpointRequest er;
  er.endpoint.id = random_id();
  er.endpoint.container_id = req.container_id;
  er.endpoint.name = req.name;
  er.endpoint.aliases = req.aliases;
  er.endpoint.host_veth = host_veth_name(req.container_id, net.id);
  er.endpoint.ifname = ifname;
  er.endpoint.dns_servers = req.dns_servers;
  if (req.mac) er.endpoint.mac = *req.mac;
  er.want_ip = req.ip;
  if (!net.internal) er.ports = req.ports;
  er.ephemeral = ephemeral_;
  if (options_.probe_host_ports)
    er.host_in_use = [this](Ipv4 ip, Proto p, uint16_t port) {
      return host_port_in_use(ip, p, port);
    };
  auto ep = TRY_CTX(store_->add_endpoint(net, std::move(er)),
                    fmt::format("connect {} to network {}", req.container_id, net.name));
  auto undo_store = ScopeGuard([&] { (void)store_->remove_endpoint(net.id, req.container_id); });
  t.ipam_us = micros_since(step);

  step = Clock::now();
  if (!bridge_index_.contains(net.bridge)) TRY(ensure_bridge(net));
  nl::VethSpec veth;
  veth.host.name = ep.host_veth;
  veth.host.mtu = mtu_;
  veth.host.up = true;
  veth.host.master = bridge_index_.at(net.bridge);
  veth.peer.name = ifname;
  veth.peer.mtu = mtu_;
  veth.peer.mac = ep.mac;
  veth.peer.netns_fd = ns.get();
  auto host_end = TRY(nl::create_veth_echo(*nl_, veth));
  auto undo_veth = ScopeGuard([&] { (void)nl::delete_link(*nl_, ep.host_veth); });
  // Hairpin lets a frame leave by the port it came in on, which a
  // container reaching itself through a published port needs.
  TRY(nl::set_hairpin(*nl_, host_end.index, true));
  t.veth_us = micros_since(step);

  step = Clock::now();
  // The echo names the peer's index; older kernels make us look it up.
  int eth = host_end.link ? host_end.link : TRY(nl::get_link(inside, ifname)).index;
  if (first) TRY(nl::set_up(inside, 1, true));
  TRY(nl::add_address(inside, eth, ep.ip, net.subnet.prefix));
  TRY(nl::set_up(inside, eth, true));
  // The first network a container joins carries its default route;
  // internal networks never do (they must not reach out).
  if (first && !net.internal) TRY(nl::add_default_route(inside, eth, net.gateway));
  t.inside_us = micros_since(step);

  step = Clock::now();
  TRY(nft_->run(nft::add_ports(net, ep)));
  t.nft_us = micros_since(step);

  step = Clock::now();
  TRY(refresh_dns(net));
  t.dns_us = micros_since(step);

  undo_veth.dismiss();
  undo_store.dismiss();
  t.total_us = micros_since(start);
  log::debug("endpoint connected", {{"container", req.container_id},
                                    {"network", net.name},
                                    {"ip", ep.ip.str()},
                                    {"us", static_cast<int>(t.total_us)}});
  return ep;
}

Result<> ManagerImpl::do_disconnect(const Network& net, const Endpoint& ep) {
  // Exactly this endpoint's elements; if they are already gone (a crash
  // between steps), rewrite the ruleset from the store instead.
  bool elements_removed = static_cast<bool>(nft_->run(nft::delete_ports(net, ep)));
  auto del = nl::delete_link(*nl_, ep.host_veth);
  // ENODEV: the container's namespace died and took the pair with it.
  if (!del && del.error().sys_errno() != ENODEV) return tl::unexpected(del.error());
  TRY(store_->remove_endpoint(net.id, ep.container_id));
  if (!elements_removed) TRY(apply_full_ruleset());
  return refresh_dns(net);
}

Result<Endpoint> ManagerImpl::connect(const std::string& network, const AttachRequest& req,
                                      SetupTimings* timings) {
  return worker_->call([&]() -> Result<Endpoint> {
    auto net = TRY(find_network(network));
    SetupTimings t;
    auto ep = TRY(do_connect(net, req, t));
    if (timings) *timings = t;
    return ep;
  });
}

Result<> ManagerImpl::disconnect(const std::string& network, const std::string& container_id) {
  return worker_->call([&]() -> Result<> {
    auto net = TRY(find_network(network));
    for (const auto& ep : TRY(endpoints_of(container_id)))
      if (ep.network_id == net.id) return do_disconnect(net, ep);
    return make_error(
        ErrorCategory::NotFound,
        fmt::format("container {} is not connected to network {}", container_id, net.name));
  });
}

Result<> ManagerImpl::release_container(const std::string& container_id) {
  return worker_->call([&]() -> Result<> {
    auto nets = TRY(store_->networks());
    for (const auto& ep : TRY(endpoints_of(container_id)))
      for (const auto& n : nets)
        if (n.id == ep.network_id) TRY(do_disconnect(n, ep));
    return ok();
  });
}

Result<> ManagerImpl::rename_container(const std::string& container_id, const std::string& name) {
  return worker_->call([&]() -> Result<> {
    auto eps = TRY(endpoints_of(container_id));
    if (eps.empty()) return ok();
    TRY(store_->rename_container(container_id, name));
    for (const auto& n : TRY(store_->networks()))
      for (const auto& ep : eps)
        if (ep.network_id == n.id) TRY(refresh_dns(n));
    return ok();
  });
}

Result<std::vector<Endpoint>> ManagerImpl::endpoints(const std::string& container_id) {
  return worker_->call([&] { return endpoints_of(container_id); });
}

Result<ContainerFiles> ManagerImpl::container_files(const std::string& container_id,
                                                    HostsSpec hosts, const DnsSpec& dns,
                                                    bool host_mode) {
  return worker_->call([&]() -> Result<ContainerFiles> {
    ContainerFiles f;
    f.hostname = hostname_file(hosts.hostname);
    if (host_mode) {
      // The host's own namespace: its resolvers work as they are, even a
      // 127.0.0.53 stub.
      f.resolv_conf = dns.servers.empty() && dns.search.empty() && dns.options.empty()
                          ? host_resolv_text_
                          : resolv_conf_file(host_resolv_, dns, std::nullopt);
      hosts.ip.reset();
      f.hosts = hosts_file(hosts);
      return f;
    }
    auto eps = TRY(endpoints_of(container_id));
    std::optional<Ipv4> embedded;
    if (!eps.empty()) {
      const auto& first = eps.front();
      hosts.ip = first.ip;
      if (!first.name.empty()) hosts.names.push_back(first.name);
      for (const auto& e : eps)
        hosts.names.insert(hosts.names.end(), e.aliases.begin(), e.aliases.end());
      auto net = TRY(find_network(first.network_id));
      if (net.has_dns()) embedded = net.gateway;
    }
    f.hosts = hosts_file(hosts);
    f.resolv_conf = resolv_conf_file(host_resolv_, dns, embedded);
    return f;
  });
}

}  // namespace berth::net
