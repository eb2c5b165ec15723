// Manager lifecycle and networks (create, remove, list, inspect, prune).
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "net/manager_impl.hpp"
#include "net/netns.hpp"
#include "net/nft/ruleset.hpp"

namespace berth::net {

Result<std::unique_ptr<Manager>> Manager::open(ManagerOptions options) {
  auto m = std::make_unique<ManagerImpl>(std::move(options));
  TRY(m->start());
  return std::unique_ptr<Manager>(std::move(m));
}

ManagerImpl::~ManagerImpl() {
  // The DNS server's thread and sockets go first, then the worker.
  if (worker_) worker_->call([this] { dns_.reset(); });
  worker_.reset();
}

Result<> ManagerImpl::start() {
  UniqueFd host;
  if (!options_.host_netns_path.empty()) host = TRY(open_netns(options_.host_netns_path));
  worker_ = TRY(Worker::start(host.valid() ? host.get() : -1));
  return worker_->call([this] { return init_on_worker(); });
}

namespace {

ipam::PortRange read_port_range() {
  // Docker takes its ephemeral range from the kernel's, so published ports
  // and outgoing connections do not fight over the same numbers.
  auto text = read_file("/proc/sys/net/ipv4/ip_local_port_range");
  if (!text) return {};
  auto fields = split(std::string(trim(*text)), '\t');
  if (fields.size() != 2) return {};
  auto lo = parse_int<uint16_t>(trim(fields[0])), hi = parse_int<uint16_t>(trim(fields[1]));
  if (!lo || !hi || *lo > *hi) return {};
  return {*lo, *hi};
}

}  // namespace

Result<> ManagerImpl::init_on_worker() {
  store_ = TRY(open_sqlite_store(options_.db_path));
  nl_ = TRY(nl::Socket::open());
  nft_ = TRY(nft::Nft::create());
  ephemeral_ = read_port_range();
  mtu_ = options_.mtu ? options_.mtu : TRY(nl::default_route_mtu(*nl_));
  host_resolv_text_ = read_file(options_.host_resolv_conf).value_or("");
  host_resolv_ = parse_resolv_conf(host_resolv_text_);
  std::vector<dns::Upstream> upstreams;
  auto names = options_.dns_upstreams.empty() ? usable_host_nameservers(host_resolv_)
                                              : options_.dns_upstreams;
  for (const auto& n : names)
    if (auto u = dns::Upstream::parse(n)) upstreams.push_back(*u);
  // Started here so its thread (and its upstream sockets) share the
  // worker's, i.e. the host's, network namespace.
  dns_ = TRY(dns::Server::start(std::move(upstreams)));

  auto nets = TRY(store_->networks());
  bool have_default = false;
  for (const auto& n : nets) have_default |= n.is_default();
  if (!have_default) {
    NetworkRequest def;
    def.name = kDefaultNetworkName;
    def.subnet = options_.default_subnet;
    def.bridge = options_.default_bridge;
    TRY_CTX(do_create_network(std::move(def), true), "create default network");
    nets = TRY(store_->networks());
  }
  for (const auto& n : nets) {
    TRY(ensure_bridge(n));
    if (n.has_dns()) TRY(serve_dns(n));
  }
  TRY(enable_forwarding());
  return apply_full_ruleset();
}

Result<> ManagerImpl::enable_forwarding() {
  if (forwarding_enabled_) return ok();
  // Opened on the worker, so this is the host namespace's knob.
  TRY_CTX(write_knob("/proc/sys/net/ipv4/ip_forward", "1"), "enable IPv4 forwarding");
  forwarding_enabled_ = true;
  return ok();
}

Result<> ManagerImpl::ensure_bridge(const Network& net) {
  auto link = nl::get_link(*nl_, net.bridge);
  if (!link && !link.error().is(ErrorCategory::NotFound)) return tl::unexpected(link.error());
  if (!link) {
    nl::LinkSpec spec;
    spec.name = net.bridge;
    spec.mtu = mtu_;
    spec.up = true;
    // Without a MAC of its own a bridge takes the lowest MAC among its
    // ports, so it changes as containers come and go; containers' ARP
    // entries for the gateway then point at a MAC the bridge no longer
    // accepts and their traffic to it (DNS, routing) stalls for seconds.
    spec.mac = Mac::from_ipv4(net.gateway);
    TRY(nl::create_bridge(*nl_, spec));
    link = TRY(nl::get_link(*nl_, net.bridge));
  } else if (link->kind != "bridge") {
    return make_error(ErrorCategory::Conflict,
                      fmt::format("device {} exists and is not a bridge", net.bridge));
  }
  bridge_index_[net.bridge] = link->index;
  auto added = nl::add_address(*nl_, link->index, net.gateway, net.subnet.prefix);
  if (!added && added.error().sys_errno() != EEXIST) return tl::unexpected(added.error());
  if (!link->up) TRY(nl::set_up(*nl_, link->index, true));
  // 127.0.0.1 -> published port is DNATed out of this bridge; the kernel
  // only routes a loopback source off-box when route_localnet allows it.
  TRY_CTX(write_knob(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", net.bridge), "1"),
          "enable route_localnet on " + net.bridge);
  return ok();
}

Result<> ManagerImpl::apply_full_ruleset() {
  auto nets = TRY(store_->networks());
  auto eps = TRY(store_->endpoints());
  TRY_CTX(nft_->run(nft::full_ruleset(nets, eps)), "apply berth nftables ruleset");
  return ok();
}

Result<> ManagerImpl::serve_dns(const Network& net) {
  int bridge = bridge_index_.contains(net.bridge) ? bridge_index_.at(net.bridge) : 0;
  dns::NetworkConfig c{net.id, net.gateway, options_.dns_port, net.subnet, net.internal, bridge};
  TRY_CTX(dns_->add_network(c), "serve DNS for network " + net.name);
  return refresh_dns(net);
}

Result<> ManagerImpl::refresh_dns(const Network& net) {
  if (!net.has_dns()) return ok();
  std::vector<dns::Entry> entries;
  for (const auto& ep : TRY(store_->endpoints())) {
    if (ep.network_id != net.id) continue;
    dns::Entry e{ep.container_id, {}, ep.ip, {}};
    if (!ep.name.empty()) e.names.push_back(ep.name);
    e.names.insert(e.names.end(), ep.aliases.begin(), ep.aliases.end());
    for (const auto& s : ep.dns_servers)
      if (auto u = dns::Upstream::parse(s)) e.upstreams.push_back(*u);
    entries.push_back(std::move(e));
  }
  return dns_->set_entries(net.id, std::move(entries));
}

namespace {

Result<> check_network_name(const std::string& name) {
  bool valid = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name)
    valid =
        valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  if (!valid)
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("invalid network name \"{}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                  "are allowed",
                                  name));
  return ok();
}

}  // namespace

Result<Network> ManagerImpl::do_create_network(NetworkRequest req, bool is_default) {
  TRY(check_network_name(req.name));
  if (req.driver.empty()) req.driver = "bridge";
  if (req.driver != "bridge")
    return make_error(ErrorCategory::NotFound, fmt::format("plugin \"{}\" not found", req.driver));
  if (!is_default && (req.name == kDefaultNetworkName || req.name == "host" || req.name == "none"))
    return make_error(ErrorCategory::PermissionDenied,
                      fmt::format("{} is a pre-defined network and cannot be created", req.name));
  Network net;
  net.id = random_id();
  net.name = req.name;
  net.driver = req.driver;
  net.internal = req.internal;
  net.labels = std::move(req.labels);
  net.options = std::move(req.options);
  net.created = now_rfc3339();
  net.bridge = !req.bridge.empty() ? req.bridge : kUserBridgePrefix + net.id.substr(0, 12);
  if (req.subnet) {
    net.subnet = *req.subnet;
  } else {
    ipam::HostView view;
    for (const auto& r : TRY(nl::list_ipv4_routes(*nl_))) view.routes.push_back(r.dst);
    for (const auto& a : TRY(nl::list_ipv4_addresses(*nl_))) {
      Subnet s{a.address, a.prefix};
      s.network.value &= s.mask();
      view.addresses.push_back(s);
    }
    auto taken = ipam::taken_by_host(view);
    for (const auto& n : TRY(store_->networks())) taken.push_back(n.subnet);
    net.subnet = TRY(ipam::pick_subnet(options_.pools, taken));
  }
  net.gateway = req.gateway ? *req.gateway : ipam::default_gateway(net.subnet);
  net.ip_range = req.ip_range;
  TRY(ipam::validate(net));
  TRY(store_->add_network(net));
  auto undo_store = ScopeGuard([&] { (void)store_->remove_network(net.id); });
  TRY_CTX(ensure_bridge(net), "create network " + net.name);
  auto undo_bridge = ScopeGuard([&] { (void)nl::delete_link(*nl_, net.bridge); });
  if (!is_default) {
    // The default network's rules are applied by init once for all.
    TRY(apply_full_ruleset());
    if (net.has_dns()) TRY(serve_dns(net));
    if (!net.internal) TRY(enable_forwarding());
  }
  undo_bridge.dismiss();
  undo_store.dismiss();
  log::info("network created", {{"name", net.name}, {"subnet", net.subnet.str()}});
  return net;
}

Result<Network> ManagerImpl::find_network(const std::string& key) {
  auto nets = TRY(store_->networks());
  for (const auto& n : nets)
    if (n.id == key) return n;
  for (const auto& n : nets)
    if (n.name == key) return n;
  std::optional<Network> match;
  for (const auto& n : nets) {
    if (key.empty() || !n.id.starts_with(key)) continue;
    if (match)
      return make_error(
          ErrorCategory::Conflict,
          fmt::format("network {} is ambiguous ({} matches found based on ID prefix)", key, 2));
    match = n;
  }
  if (!match) return make_error(ErrorCategory::NotFound, fmt::format("network {} not found", key));
  return *match;
}

Result<> ManagerImpl::do_remove_network(const Network& net) {
  if (net.is_default())
    return make_error(ErrorCategory::PermissionDenied,
                      fmt::format("{} is a pre-defined network and cannot be removed", net.name));
  auto removed = store_->remove_network(net.id);
  if (!removed && removed.error().is(ErrorCategory::Conflict))
    return make_error(ErrorCategory::Conflict,
                      fmt::format("error while removing network: network {} id {} has active "
                                  "endpoints",
                                  net.name, net.id));
  TRY(removed);
  if (net.has_dns()) (void)dns_->remove_network(net.id);
  auto del = nl::delete_link(*nl_, net.bridge);
  if (!del && del.error().sys_errno() != ENODEV) return tl::unexpected(del.error());
  bridge_index_.erase(net.bridge);
  return apply_full_ruleset();
}

Result<Network> ManagerImpl::create_network(NetworkRequest request) {
  return worker_->call([&] { return do_create_network(std::move(request), false); });
}

Result<> ManagerImpl::remove_network(const std::string& key) {
  return worker_->call([&]() -> Result<> { return do_remove_network(TRY(find_network(key))); });
}

Result<std::vector<Network>> ManagerImpl::networks() {
  return worker_->call([&] { return store_->networks(); });
}

Result<Network> ManagerImpl::inspect(const std::string& key) {
  return worker_->call([&] { return find_network(key); });
}

Result<std::vector<std::string>> ManagerImpl::prune() {
  return worker_->call([&]() -> Result<std::vector<std::string>> {
    std::set<std::string> used;
    for (const auto& ep : TRY(store_->endpoints())) used.insert(ep.network_id);
    std::vector<std::string> removed;
    for (const auto& n : TRY(store_->networks())) {
      if (n.is_default() || used.contains(n.id)) continue;
      TRY(do_remove_network(n));
      removed.push_back(n.name);
    }
    return removed;
  });
}

Result<> ManagerImpl::setup_loopback(const std::string& netns_path) {
  auto ns = TRY(open_netns(netns_path));
  auto s = TRY(nl::Socket::open_in(ns.get()));
  return nl::set_up(s, 1, true);  // lo is always ifindex 1 in a namespace
}

bool ManagerImpl::host_port_in_use(Ipv4 ip, Proto proto, uint16_t port) const {
  int type = proto == Proto::Tcp ? SOCK_STREAM : SOCK_DGRAM;
  UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!s) return false;
  // SO_REUSEADDR ignores TIME_WAIT leftovers but still fails against a
  // listener, which is the conflict that matters.
  int one = 1;
  if (proto == Proto::Tcp) (void)::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = ip.to_be();
  return ::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno == EADDRINUSE;
}

}  // namespace berth::net
