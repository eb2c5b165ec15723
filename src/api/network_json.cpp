#include "api/network_json.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "engine/container_network_json.hpp"
#include "net/docker_json.hpp"
#include "net/ports.hpp"

namespace berth::api {
namespace json = boost::json;

namespace {

Unexpected bad(std::string msg) { return make_error(ErrorCategory::InvalidArgument, std::move(msg)); }

const json::object* member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::map<std::string, std::string> string_map(const json::object* o) {
  std::map<std::string, std::string> out;
  if (o)
    for (const auto& [k, v] : *o)
      if (v.is_string()) out[std::string(k)] = std::string(v.as_string());
  return out;
}

bool builtin(const net::Network& n) { return n.is_default() || n.driver != "bridge"; }

bool matches(const net::Network& n, const std::vector<net::Endpoint>& eps, const engine::Filters& f) {
  if (!f.exact_match("driver", n.driver) || !f.fuzzy_match("id", n.id) || !f.exact_match("scope", "local"))
    return false;
  if (f.contains("name")) {
    auto names = f.values("name");
    if (std::none_of(names.begin(), names.end(), [&](const auto& v) { return n.name.find(v) != std::string::npos; }))
      return false;
  }
  if (!f.match_labels("label", n.labels)) return false;
  if (f.contains("type") && !f.exact_match("type", builtin(n) ? "builtin" : "custom")) return false;
  if (f.contains("dangling")) {
    bool used = builtin(n) || std::any_of(eps.begin(), eps.end(), [&](const auto& e) { return e.network_id == n.id; });
    bool want = f.exact_match("dangling", "true") || f.exact_match("dangling", "1");
    if (used == want) return false;
  }
  return true;
}

// An endpoint entry of a network the container is configured for but not
// attached to (not running), as dockerd shows it.
json::object unattached_settings(const std::string& network_id, const engine::NetworkAttachment& a) {
  json::value aliases = nullptr;
  if (!a.aliases.empty()) {
    json::array arr;
    for (const auto& s : a.aliases) arr.emplace_back(s);
    aliases = std::move(arr);
  }
  json::value ipam = nullptr;
  if (!a.ipv4.empty()) ipam = json::object{{"IPv4Address", a.ipv4}};
  return json::object{{"IPAMConfig", ipam},   {"Links", nullptr},        {"Aliases", aliases},
                      {"NetworkID", network_id}, {"EndpointID", ""},      {"Gateway", ""},
                      {"IPAddress", ""},      {"IPPrefixLen", 0},        {"IPv6Gateway", ""},
                      {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"MacAddress", a.mac},
                      {"DriverOpts", nullptr}};
}

struct ContainerNet {
  json::object networks;
  std::optional<net::Network> primary_net;
  std::optional<net::Endpoint> primary_ep;
};

ContainerNet container_net(const engine::Container& c, engine::ContainerNetworking& n) {
  ContainerNet out;
  auto cfg = n.config_of(c);
  if (!cfg) return out;
  if (!cfg->mode.creates_interfaces()) {
    if (cfg->mode.kind != net::NetworkMode::Kind::Container) {
      auto predefined = n.predefined(cfg->mode.str());
      out.networks[cfg->mode.str()] = unattached_settings(predefined ? predefined->id : "", {});
    }
    return out;
  }
  auto eps = n.manager().endpoints(c.id);
  for (size_t i = 0; i < cfg->networks.size(); ++i) {
    const auto& a = cfg->networks[i];
    auto net = n.manager().inspect(a.network);
    if (!net) continue;
    const net::Endpoint* ep = nullptr;
    if (eps)
      for (const auto& e : *eps)
        if (e.network_id == net->id) ep = &e;
    out.networks[net->name] = ep ? net::endpoint_settings_json(*net, *ep, !a.ipv4.empty())
                                 : unattached_settings(net->id, a);
    if (i == 0) {
      out.primary_net = *net;
      if (ep) out.primary_ep = *ep;
    }
  }
  return out;
}

}  // namespace

Result<json::array> networks_list_json(engine::ContainerNetworking& n, const engine::Filters& f) {
  TRY(f.validate({"driver", "id", "label", "name", "scope", "type", "dangling"}));
  auto nets = TRY(n.manager().networks());
  auto eps = TRY(n.manager().endpoints());
  json::array out;
  nets.insert(nets.end(), n.predefined_networks().begin(), n.predefined_networks().end());
  for (const auto& net : nets)
    if (matches(net, eps, f)) out.push_back(net::network_json(net, {}));
  return out;
}

Result<json::array> networks_list_json(const std::vector<net::Network>& nets, const engine::Filters& f) {
  TRY(f.validate({"driver", "id", "label", "name", "scope", "type", "dangling"}));
  json::array out;
  for (const auto& net : nets)
    if (matches(net, {}, f)) out.push_back(net::network_json(net, {}));
  return out;
}

Result<json::object> network_inspect_json(engine::ContainerNetworking& n, const std::string& ref) {
  auto net = n.manager().inspect(ref);
  if (!net && net.error().is(ErrorCategory::NotFound))
    if (auto p = n.predefined(ref)) net = *p;
  if (!net) return tl::unexpected(net.error());
  return net::network_json(*net, TRY(n.manager().endpoints()));
}

Result<json::object> network_create(engine::ContainerNetworking& n, const json::value& body) {
  if (!body.is_object()) return bad("invalid JSON: expected an object");
  const auto& o = body.as_object();
  net::NetworkRequest req;
  req.name = engine::json_string(o, "Name");
  if (req.name.empty()) return bad("network name must not be empty");
  if (auto d = engine::json_string(o, "Driver"); !d.empty()) req.driver = d;
  if (auto* v = o.if_contains("EnableIPv6"); v && v->is_bool() && v->as_bool())
    return bad("IPv6 networks are not supported by berth");
  if (auto* v = o.if_contains("Internal"); v && v->is_bool()) req.internal = v->as_bool();
  req.labels = string_map(member(o, "Labels"));
  req.options = string_map(member(o, "Options"));
  if (auto it = req.options.find("com.docker.network.bridge.name"); it != req.options.end()) req.bridge = it->second;
  if (auto* ipam = member(o, "IPAM")) {
    auto* config = ipam->if_contains("Config");
    if (config && config->is_array() && !config->as_array().empty()) {
      if (config->as_array().size() > 1) return bad("berth networks take one IPAM config");
      if (!config->as_array()[0].is_object()) return bad("invalid IPAM config");
      const auto& c = config->as_array()[0].as_object();
      if (auto s = engine::json_string(c, "Subnet"); !s.empty()) req.subnet = TRY(net::Subnet::parse(s));
      if (auto s = engine::json_string(c, "Gateway"); !s.empty()) req.gateway = TRY(net::Ipv4::parse(s));
      if (auto s = engine::json_string(c, "IPRange"); !s.empty()) req.ip_range = TRY(net::Subnet::parse(s));
    }
  }
  auto net = TRY(n.create_network(std::move(req)));
  return json::object{{"Id", net.id}, {"Warning", ""}};
}

Result<> network_connect(engine::ContainerNetworking& n, const std::string& ref, const json::value& body) {
  if (!body.is_object()) return bad("invalid JSON: expected an object");
  const auto& o = body.as_object();
  std::string container = engine::json_string(o, "Container");
  if (container.empty()) return bad("container is required");
  engine::NetworkAttachment a;
  if (auto* ec = member(o, "EndpointConfig")) {
    a.aliases = engine::json_strings(*ec, "Aliases");
    a.mac = engine::json_string(*ec, "MacAddress");
    if (auto* ipam = member(*ec, "IPAMConfig")) a.ipv4 = engine::json_string(*ipam, "IPv4Address");
  }
  if (!a.ipv4.empty()) TRY(net::Ipv4::parse(a.ipv4));
  if (!a.mac.empty()) TRY(net::Mac::parse(a.mac));
  return n.connect(ref, container, std::move(a));
}

Result<> network_disconnect(engine::ContainerNetworking& n, const std::string& ref, const json::value& body) {
  if (!body.is_object()) return bad("invalid JSON: expected an object");
  const auto& o = body.as_object();
  std::string container = engine::json_string(o, "Container");
  if (container.empty()) return bad("container is required");
  auto* force = o.if_contains("Force");
  return n.disconnect(ref, container, force && force->is_bool() && force->as_bool());
}

json::object prune_nothing() { return json::object{{"NetworksDeleted", nullptr}}; }

Result<json::object> network_prune(engine::ContainerNetworking& n, const engine::Filters& f) {
  TRY(f.validate({"label", "label!", "until"}));
  if (!f.empty()) {
    // Only networks matching the labels go; prune() takes all unused ones,
    // so with filters berth removes the matching unused networks itself.
    auto nets = TRY(n.manager().networks());
    auto eps = TRY(n.manager().endpoints());
    json::array deleted;
    for (const auto& net : nets) {
      if (net.is_default() || !f.match_labels("label", net.labels)) continue;
      if (std::any_of(eps.begin(), eps.end(), [&](const auto& e) { return e.network_id == net.id; })) continue;
      if (n.remove_network(net.id)) deleted.emplace_back(net.name);
    }
    return json::object{{"NetworksDeleted", std::move(deleted)}};
  }
  json::array deleted;
  for (const auto& name : TRY(n.prune())) deleted.emplace_back(name);
  return json::object{{"NetworksDeleted", std::move(deleted)}};
}

void fill_inspect_network(json::object& inspect, const engine::Container& c, engine::ContainerNetworking& n) {
  auto cn = container_net(c, n);
  auto* settings = inspect.if_contains("NetworkSettings");
  if (!settings || !settings->is_object()) return;
  auto& ns = settings->as_object();
  bool running = c.state.running();
  if (running && c.state.pid > 0) ns["SandboxKey"] = "/proc/" + std::to_string(c.state.pid) + "/ns/net";
  json::object ports;
  if (running) ports = net::ports_json(cn.primary_ep ? cn.primary_ep->ports : std::vector<net::PortBinding>{},
                                       engine::exposed_ports(c));
  ns["Ports"] = std::move(ports);
  if (cn.primary_ep && cn.primary_net && cn.primary_net->is_default()) {
    // dockerd's legacy top-level fields describe the default bridge only.
    ns["EndpointID"] = cn.primary_ep->id;
    ns["Gateway"] = cn.primary_net->gateway.str();
    ns["IPAddress"] = cn.primary_ep->ip.str();
    ns["IPPrefixLen"] = cn.primary_net->subnet.prefix;
    ns["MacAddress"] = cn.primary_ep->mac.str();
  }
  ns["Networks"] = std::move(cn.networks);
  inspect["ResolvConfPath"] = c.dir + "/resolv.conf";
}

void fill_summary_network(json::object& summary, const engine::Container& c, engine::ContainerNetworking& n) {
  auto cn = container_net(c, n);
  json::array ports;
  std::set<std::string> published;
  if (cn.primary_ep) {
    for (const auto& p : cn.primary_ep->ports) {
      published.insert(p.port_key());
      ports.push_back(json::object{{"IP", p.host_ip.str()},
                                   {"PrivatePort", p.container_port},
                                   {"PublicPort", p.host_port},
                                   {"Type", std::string(net::proto_name(p.proto))}});
    }
  }
  // dockerd lists ports of running containers only (released on stop).
  for (const auto& e : c.state.running() ? engine::exposed_ports(c) : std::vector<std::string>{}) {
    std::string key = e.find('/') == std::string::npos ? e + "/tcp" : e;
    if (published.contains(key)) continue;
    auto [port, proto, found] = split_once(key, '/');
    auto number = parse_int<uint16_t>(port);
    if (!number) continue;
    ports.push_back(json::object{{"PrivatePort", *number}, {"Type", std::string(proto)}});
  }
  summary["Ports"] = std::move(ports);
  json::object settings;
  settings["Networks"] = std::move(cn.networks);
  summary["NetworkSettings"] = std::move(settings);
}

}  // namespace berth::api
