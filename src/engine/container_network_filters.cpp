// `docker ps` filters about networking, as dockerd's daemon/list.go has
// them: network=<name|id prefix> (any configured network, running or
// not), publish=<port>[/proto] and expose=<port>[/proto] (single ports or
// ranges, tcp when no protocol is given) against the ports a *running*
// container shows: published host ports, and container ports published
// or exposed.
#include <set>

#include "base/strings.hpp"
#include "engine/container_network.hpp"
#include "engine/container_network_json.hpp"

namespace berth::engine {
namespace {

// "80", "80/udp", "8000-8010/tcp" -> {"80/tcp", ...}; bad values match nothing.
std::set<std::string> port_set(const std::vector<std::string>& values) {
  std::set<std::string> out;
  for (const auto& v : values) {
    auto [ports, proto, has_proto] = split_once(v, '/');
    std::string p = has_proto ? std::string(proto) : "tcp";
    auto [lo_text, hi_text, is_range] = split_once(ports, '-');
    auto lo = parse_int<uint16_t>(lo_text);
    auto hi = is_range ? parse_int<uint16_t>(hi_text) : lo;
    if (!lo || !hi || *lo > *hi) continue;
    for (uint32_t n = *lo; n <= *hi; ++n) out.insert(std::to_string(n) + "/" + p);
  }
  return out;
}

std::string with_proto(const std::string& key) { return key.find('/') == std::string::npos ? key + "/tcp" : key; }

}  // namespace

bool ContainerNetworking::matches(const Container& c, const Filters& f) {
  if (f.contains("network")) {
    auto cfg = config_of(c);
    if (!cfg) return false;
    std::vector<std::pair<std::string, std::string>> nets;  // name, id
    if (!cfg->mode.creates_interfaces()) {
      if (auto p = predefined(cfg->mode.str())) nets.emplace_back(p->name, p->id);
    }
    for (const auto& a : cfg->networks)
      if (auto n = manager_->inspect(a.network)) nets.emplace_back(n->name, n->id);
    bool any = false;
    for (const auto& v : f.values("network"))
      for (const auto& [name, id] : nets) any = any || v == name || (!v.empty() && id.starts_with(v));
    if (!any) return false;
  }
  if (!f.contains("publish") && !f.contains("expose")) return true;
  if (!c.state.running()) return false;
  std::set<std::string> published, exposed;
  if (auto eps = manager_->endpoints(c.id))
    for (const auto& ep : *eps)
      for (const auto& b : ep.ports) {
        published.insert(std::to_string(b.host_port) + "/" + std::string(net::proto_name(b.proto)));
        exposed.insert(b.port_key());
      }
  for (const auto& e : exposed_ports(c)) exposed.insert(with_proto(e));
  auto hit = [](const std::set<std::string>& want, const std::set<std::string>& have) {
    for (const auto& h : have)
      if (want.contains(h)) return true;
    return false;
  };
  if (f.contains("publish") && !hit(port_set(f.values("publish")), published)) return false;
  if (f.contains("expose") && !hit(port_set(f.values("expose")), exposed)) return false;
  return true;
}

}  // namespace berth::engine
