// ContainerNetworking: the container service's hooks (create, prepare,
// attach, detach, reconcile). The /networks service side (connect,
// disconnect of running containers) is in container_network_service.cpp.
#include "engine/container_network.hpp"

#include <fcntl.h>

#include <boost/json.hpp>
#include <chrono>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "engine/container_network_json.hpp"
#include "engine/container_spec.hpp"
#include "net/ports.hpp"

namespace berth::engine {
namespace json = boost::json;

namespace {

// Rewrites a file the container has (or will have) bind-mounted: in place,
// so the inode the mount pins sees the new text. No fsync: the files are
// rewritten before every start.
Result<> write_in_place(const std::string& path, std::string_view text) {
  auto fd = TRY(open_file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  return write_all(fd.get(), text);
}

std::string netns_of(int64_t pid) { return "/proc/" + std::to_string(pid) + "/ns/net"; }

}  // namespace

ContainerNetworking::ContainerNetworking(std::unique_ptr<net::Manager> manager)
    : manager_(std::move(manager)) {}

Result<std::unique_ptr<ContainerNetworking>> open_container_networking(const std::string& data_root,
                                                                       const std::string& bridge,
                                                                       const std::string& bip) {
  if (bridge == "none") return std::unique_ptr<ContainerNetworking>();
  net::ManagerOptions o;
  TRY(make_dirs(data_root + "/network", 0700));
  o.db_path = data_root + "/network/net.db";
  if (!bridge.empty()) o.default_bridge = bridge;
  if (!bip.empty()) o.default_subnet = TRY_CTX(net::Subnet::parse(bip), "bip");
  // Opening is the reconcile-at-start of the kernel state (bridges,
  // addresses, the nftables tables, DNS listeners) with the store.
  auto m = TRY_CTX(net::Manager::open(std::move(o)), "open networking");
  auto n = std::make_unique<ContainerNetworking>(std::move(m));
  n->set_predefined(TRY(load_predefined_networks(data_root + "/network/predefined.json")));
  return n;
}

Result<> ContainerNetworking::created(const Container& c, std::string_view create_body) {
  auto cfg = TRY(network_config_from_create(c, create_body));
  switch (cfg.mode.kind) {
    case net::NetworkMode::Kind::Bridge:
    case net::NetworkMode::Kind::Network:
      // dockerd creates a container whose network does not exist (yet)
      // and fails its start; a NotFound here would make the CLI pull.
      for (const auto& a : cfg.networks) {
        auto n = manager_->inspect(a.network);
        if (!n) continue;
        if (n->is_default() && !a.aliases.empty())
          return make_error(ErrorCategory::InvalidArgument,
                            "network-scoped alias is supported only for containers in user defined networks");
        if (n->is_default() && !a.ipv4.empty())
          return make_error(ErrorCategory::InvalidArgument,
                            "user specified IP address is supported on user defined networks only");
      }
      break;
    default: break;
  }
  return save_network_config(c, cfg);
}

Result<ContainerNetworkConfig> ContainerNetworking::config_of(const Container& c) const {
  return load_network_config(c);
}

Result<> ContainerNetworking::write_files(const Container& c, const ContainerNetworkConfig& cfg,
                                         bool after_connect) {
  auto hc = parse_json_object(c.host_config);
  auto conf = parse_json_object(c.config);
  net::HostsSpec hosts;
  hosts.hostname = json_string(conf, "Hostname");
  hosts.domainname = json_string(conf, "Domainname");
  std::optional<net::Ipv4> gateway;
  for (const auto& h : json_strings(hc, "ExtraHosts")) {
    // Only "host-gateway" needs the default network (one more worker call).
    if (!gateway && h.find("host-gateway") != std::string::npos)
      if (auto def = manager_->inspect(net::kDefaultNetworkName)) gateway = def->gateway;
    hosts.extra_hosts.push_back(TRY(net::parse_add_host(h, gateway)));
  }
  net::DnsSpec dns;
  dns.servers = json_strings(hc, "Dns");
  dns.search = json_strings(hc, "DnsSearch");
  dns.options = json_strings(hc, "DnsOptions");
  bool host_mode = cfg.mode.kind == net::NetworkMode::Kind::Host;
  auto files = TRY(manager_->container_files(c.id, hosts, dns, host_mode));
  if (!after_connect) TRY(write_in_place(c.dir + "/hostname", files.hostname));
  TRY(write_in_place(c.dir + "/hosts", files.hosts));
  TRY(write_in_place(c.dir + "/resolv.conf", files.resolv_conf));
  return ok();
}

Result<> ContainerNetworking::prepare(const Container& c, SpecPaths& paths) {
  auto cfg = TRY(load_network_config(c));
  paths.hostname = c.dir + "/hostname";
  paths.hosts = c.dir + "/hosts";
  paths.resolv_conf = c.dir + "/resolv.conf";
  if (cfg.mode.kind == net::NetworkMode::Kind::Container) {
    auto target = TRY(containers_->get(cfg.mode.target));
    if (!target.state.running() || target.state.pid <= 0)
      return make_error(ErrorCategory::Conflict,
                        "cannot join network of a non running container: " + target.id);
    paths.netns_path = netns_of(target.state.pid);
  }
  for (const auto& a : cfg.networks) TRY(manager_->inspect(a.network));
  // Connected containers get their files after the connect, before their
  // process runs; the bind mounts only need the files to exist now.
  if (cfg.mode.creates_interfaces()) return write_in_place(paths.resolv_conf, "");
  return write_files(c, cfg, false);
}

Result<> ContainerNetworking::connect_one(const Container& c, const NetworkAttachment& a, bool primary,
                                          const std::string& netns) {
  net::AttachRequest req;
  req.container_id = c.id;
  req.name = c.name;
  req.aliases = a.aliases;
  req.netns_path = netns;
  if (!a.ipv4.empty()) req.ip = TRY(net::Ipv4::parse(a.ipv4));
  if (!a.mac.empty()) req.mac = TRY(net::Mac::parse(a.mac));
  if (primary) req.ports = TRY(port_requests(c));
  req.dns_servers = json_strings(parse_json_object(c.host_config), "Dns");
  net::SetupTimings t;
  auto ep = manager_->connect(a.network, req, &t);
  if (ep)
    if (auto n = manager_->inspect(ep->network_id)) publish("connect", *n, c.id);
  if (!ep) {
    const auto& e = ep.error();
    // dockerd's wording for a port that cannot be published.
    if (e.message().find("port is already allocated") != std::string::npos ||
        e.message().find("address already in use") != std::string::npos)
      return make_error(e.category(), "driver failed programming external connectivity on endpoint " +
                                          c.name + " (" + c.id + "): " + e.message());
    return tl::unexpected(e);
  }
  std::lock_guard lock(mu_);
  timings_ = t;
  return ok();
}

Result<> ContainerNetworking::attach(const Container& c, int64_t init_pid) {
  auto cfg = TRY(load_network_config(c));
  std::string netns = netns_of(init_pid);
  auto start = std::chrono::steady_clock::now();
  switch (cfg.mode.kind) {
    case net::NetworkMode::Kind::Host:
    case net::NetworkMode::Kind::Container: return ok();
    case net::NetworkMode::Kind::None: return manager_->setup_loopback(netns);
    default: break;
  }
  auto release = ScopeGuard([&] { (void)manager_->release_container(c.id); });
  for (size_t i = 0; i < cfg.networks.size(); ++i) TRY(connect_one(c, cfg.networks[i], i == 0, netns));
  TRY(write_files(c, cfg, true));
  release.dismiss();
  auto us = [](double v) { return static_cast<int64_t>(v); };
  double total = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  auto t = last_timings();
  log::debug("container network attached",
             {{"id", c.id.substr(0, 12)}, {"attach_us", us(total)}, {"connect_us", us(t.total_us)},
              {"netns_us", us(t.netns_us)}, {"ipam_us", us(t.ipam_us)}, {"veth_us", us(t.veth_us)},
              {"inside_us", us(t.inside_us)}, {"nft_us", us(t.nft_us)}, {"dns_us", us(t.dns_us)}});
  return ok();
}

void ContainerNetworking::detach(const Container& c) {
  auto start = std::chrono::steady_clock::now();
  auto eps = manager_->endpoints(c.id);
  if (eps && eps->empty()) return;
  if (auto r = manager_->release_container(c.id); !r) {
    log::warn("release container network", {{"id", c.id}, {"error", r.error()}});
    return;
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  log::debug("container network released", {{"id", c.id.substr(0, 12)}, {"release_us", us.count()}});
  for (const auto& ep : eps ? *eps : std::vector<net::Endpoint>{})
    if (auto n = manager_->inspect(ep.network_id)) publish("disconnect", *n, c.id);
}

void ContainerNetworking::reconcile(const std::vector<Container>& running) {
  std::set<std::string> live;
  for (const auto& c : running) live.insert(c.id);
  auto report = manager_->reconcile(live);
  if (!report) {
    log::error("network reconcile", {{"error", report.error()}});
    return;
  }
  for (const auto& e : report->removed_endpoints) log::info("network: released stale endpoint", {{"endpoint", e}});
  for (const auto& l : report->removed_links) log::info("network: removed stale link", {{"link", l}});
  for (const auto& broken : report->broken_endpoints) {
    // "network/container": the container is running but its veth is gone;
    // connect it again in its (live) namespace.
    auto [network, id, found] = split_once(broken, '/');
    if (!found) continue;
    for (const auto& c : running) {
      if (c.id != id || c.state.pid <= 0) continue;
      auto cfg = load_network_config(c);
      if (!cfg) continue;
      for (size_t i = 0; i < cfg->networks.size(); ++i) {
        auto n = manager_->inspect(cfg->networks[i].network);
        if (!n || (n->name != network && n->id != network)) continue;
        (void)manager_->disconnect(n->id, c.id);
        auto r = connect_one(c, cfg->networks[i], i == 0, netns_of(c.state.pid));
        if (r) r = write_files(c, *cfg, true);
        log::info("network: reconnected broken endpoint",
                  {{"endpoint", broken}, {"ok", r ? "true" : r.error().to_string()}});
      }
    }
  }
}

net::SetupTimings ContainerNetworking::last_timings() const {
  std::lock_guard lock(mu_);
  return timings_;
}

}  // namespace berth::engine
