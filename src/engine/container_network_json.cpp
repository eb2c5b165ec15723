#include "engine/container_network_json.hpp"

#include <fcntl.h>

#include <set>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "net/ports.hpp"

namespace berth::engine {
namespace json = boost::json;

namespace {

constexpr const char* kNetworksFile = "networks.json";

const json::object* member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

NetworkAttachment attachment_from(const std::string& name, const json::object* settings) {
  NetworkAttachment a;
  a.network = name;
  if (!settings) return a;
  a.aliases = json_strings(*settings, "Aliases");
  if (auto* ipam = member(*settings, "IPAMConfig")) a.ipv4 = json_string(*ipam, "IPv4Address");
  a.mac = json_string(*settings, "MacAddress");
  return a;
}

ContainerNetworkConfig from_host_config(const Container& c, const json::object* endpoints) {
  ContainerNetworkConfig cfg;
  auto hc = parse_json_object(c.host_config);
  auto mode = net::NetworkMode::parse(json_string(hc, "NetworkMode"));
  if (mode) cfg.mode = *mode;
  if (!cfg.mode.creates_interfaces()) return cfg;
  std::string primary = cfg.mode.kind == net::NetworkMode::Kind::Bridge ? net::kDefaultNetworkName
                                                                        : cfg.mode.target;
  const json::object* settings = nullptr;
  if (endpoints) {
    settings = member(*endpoints, primary);
    // The CLI keys the endpoint by the mode's spelling; "default" means bridge.
    if (!settings && cfg.mode.kind == net::NetworkMode::Kind::Bridge) settings = member(*endpoints, "default");
  }
  cfg.networks.push_back(attachment_from(primary, settings));
  // The container-level MAC (Config.MacAddress, API < 1.44) is eth0's.
  if (cfg.networks[0].mac.empty()) cfg.networks[0].mac = json_string(parse_json_object(c.config), "MacAddress");
  if (endpoints)
    for (const auto& [name, v] : *endpoints)
      if (name != primary && name != "default" && v.is_object())
        cfg.networks.push_back(attachment_from(std::string(name), &v.as_object()));
  return cfg;
}

}  // namespace

json::object parse_json_object(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

std::string json_string(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> json_strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

Result<ContainerNetworkConfig> network_config_from_create(const Container& c, std::string_view body) {
  auto b = parse_json_object(body);
  const json::object* endpoints = nullptr;
  if (auto* nc = member(b, "NetworkingConfig")) endpoints = member(*nc, "EndpointsConfig");
  auto hc = parse_json_object(c.host_config);
  TRY(net::NetworkMode::parse(json_string(hc, "NetworkMode")));
  auto cfg = from_host_config(c, endpoints);
  for (const auto& a : cfg.networks) {
    if (!a.ipv4.empty()) TRY(net::Ipv4::parse(a.ipv4));
    if (!a.mac.empty()) TRY(net::Mac::parse(a.mac));
  }
  TRY(port_requests(c));
  return cfg;
}

Result<ContainerNetworkConfig> load_network_config(const Container& c) {
  auto text = read_file(c.dir + "/" + kNetworksFile, 1u << 20);
  if (!text) {
    if (text.error().is(ErrorCategory::NotFound)) return from_host_config(c, nullptr);
    return tl::unexpected(text.error());
  }
  auto o = parse_json_object(*text);
  ContainerNetworkConfig cfg;
  cfg.mode = TRY(net::NetworkMode::parse(json_string(o, "Mode")));
  if (auto* list = o.if_contains("Networks"); list && list->is_array())
    for (const auto& v : list->as_array())
      if (v.is_object()) cfg.networks.push_back(attachment_from(json_string(v.as_object(), "Name"), &v.as_object()));
  return cfg;
}

Result<> save_network_config(const Container& c, const ContainerNetworkConfig& cfg) {
  json::array list;
  for (const auto& a : cfg.networks) {
    json::array aliases;
    for (const auto& s : a.aliases) aliases.emplace_back(s);
    list.push_back(json::object{{"Name", a.network},
                                {"Aliases", std::move(aliases)},
                                {"IPAMConfig", json::object{{"IPv4Address", a.ipv4}}},
                                {"MacAddress", a.mac}});
  }
  json::object o{{"Mode", cfg.mode.str()}, {"Networks", std::move(list)}};
  return write_file_atomic(c.dir + "/" + kNetworksFile, json::serialize(o), 0600);
}

std::vector<std::string> exposed_ports(const Container& c) {
  std::vector<std::string> out;
  auto config = parse_json_object(c.config);
  if (auto* e = member(config, "ExposedPorts"))
    for (const auto& [k, v] : *e) out.emplace_back(k);
  return out;
}

Result<std::vector<net::PortRequest>> port_requests(const Container& c) {
  std::vector<net::PortRequest> out;
  auto hc = parse_json_object(c.host_config);
  std::set<std::string> bound;
  if (auto* pb = member(hc, "PortBindings")) {
    for (const auto& [key, v] : *pb) {
      std::string port(key);
      bound.insert(port.find('/') == std::string::npos ? port + "/tcp" : port);
      if (!v.is_array()) continue;
      for (const auto& b : v.as_array()) {
        if (!b.is_object()) continue;
        std::string ip = json_string(b.as_object(), "HostIp");
        std::string host = json_string(b.as_object(), "HostPort");
        // berth networks are IPv4: an IPv6 host address cannot be served.
        if (ip.find(':') != std::string::npos) continue;
        std::string spec = ip.empty() ? (host.empty() ? port : host + ":" + port) : ip + ":" + host + ":" + port;
        out.push_back(TRY_CTX(net::parse_publish(spec), "invalid port binding " + port));
      }
    }
  }
  if (hc.contains("PublishAllPorts") && hc.at("PublishAllPorts").is_bool() && hc.at("PublishAllPorts").as_bool()) {
    std::vector<std::string> rest;
    for (const auto& e : exposed_ports(c))
      if (!bound.contains(e.find('/') == std::string::npos ? e + "/tcp" : e)) rest.push_back(e);
    auto all = TRY(net::publish_all(rest));
    out.insert(out.end(), all.begin(), all.end());
  }
  return out;
}

}  // namespace berth::engine
