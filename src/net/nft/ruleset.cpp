#include "net/nft/ruleset.hpp"

#include <fmt/format.h>

#include <map>

namespace berth::net::nft {

namespace {

// Docker's short id, used as the element comment so `nft list` shows which
// container a published port belongs to.
std::string owner(const Endpoint& ep) { return ep.container_id.substr(0, 12); }

std::string map_name(const PortBinding& b) {
  return fmt::format("{}ports_{}", b.host_ip.is_unspecified() ? "" : "host",
                     proto_name(b.proto));
}

std::string element_key(const PortBinding& b) {
  if (b.host_ip.is_unspecified()) return std::to_string(b.host_port);
  return fmt::format("{} . {}", b.host_ip.str(), b.host_port);
}

std::string element(const Endpoint& ep, const PortBinding& b) {
  return fmt::format("{} comment \"{}\" : {} . {}", element_key(b), owner(ep), ep.ip.str(),
                     b.container_port);
}

bool publishes(const Network& net, const Endpoint& ep) { return !net.internal && !ep.ports.empty(); }

void filter_rules_for(const Network& n, std::string& out) {
  const std::string& b = n.bridge;
  auto rule = [&](const std::string& text) { out += "\t\t" + text + "\n"; };
  if (n.internal) {
    rule(fmt::format("iifname \"{0}\" oifname \"{0}\" accept", b));
    rule(fmt::format("iifname \"{}\" drop", b));
    rule(fmt::format("oifname \"{}\" drop", b));
    return;
  }
  // Replies and published ports may enter; then traffic inside the
  // network; then nothing from this network to another berth network.
  rule(fmt::format("oifname \"{}\" ct state established,related accept", b));
  rule(fmt::format("oifname \"{}\" ct status dnat accept", b));
  rule(fmt::format("iifname \"{0}\" oifname \"{0}\" accept", b));
  rule(fmt::format("iifname \"{}\" oifname @bridges drop", b));
  rule(fmt::format("iifname \"{}\" accept", b));
  rule(fmt::format("oifname \"{}\" drop", b));
}

std::string filter_table(const std::vector<Network>& networks) {
  std::string out = fmt::format("table inet {} {{\n\tset bridges {{\n\t\ttype ifname\n", kFilterTable);
  if (!networks.empty()) {
    std::string names;
    for (const auto& n : networks) names += (names.empty() ? "\"" : ", \"") + n.bridge + "\"";
    out += fmt::format("\t\telements = {{ {} }}\n", names);
  }
  out += "\t}\n\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n";
  for (const auto& n : networks) filter_rules_for(n, out);
  out += "\t}\n}\n";
  return out;
}

std::string nat_maps(const std::vector<Network>& networks, const std::vector<Endpoint>& endpoints) {
  std::map<std::string, const Network*> by_id;
  for (const auto& n : networks) by_id[n.id] = &n;
  std::map<std::string, std::vector<std::string>> elements;
  for (const auto& ep : endpoints) {
    auto it = by_id.find(ep.network_id);
    if (it == by_id.end() || !publishes(*it->second, ep)) continue;
    for (const auto& b : ep.ports) elements[map_name(b)].push_back(element(ep, b));
  }
  std::string out;
  for (const char* proto : {"tcp", "udp"}) {
    for (bool host : {true, false}) {
      std::string name = fmt::format("{}ports_{}", host ? "host" : "", proto);
      out += fmt::format("\tmap {} {{\n\t\ttype {}inet_service : ipv4_addr . inet_service\n", name,
                         host ? "ipv4_addr . " : "");
      const auto& els = elements[name];
      if (!els.empty()) {
        out += "\t\telements = { ";
        for (size_t i = 0; i < els.size(); ++i) out += (i ? ",\n\t\t\t     " : "") + els[i];
        out += " }\n";
      }
      out += "\t}\n\n";
    }
  }
  return out;
}

std::string nat_table(const std::vector<Network>& networks, const std::vector<Endpoint>& endpoints) {
  std::string out = fmt::format("table ip {} {{\n", kNatTable);
  out += nat_maps(networks, endpoints);
  // Only traffic addressed to this host is published (Docker's
  // "-m addrtype --dst-type LOCAL"); output covers the host's own
  // connections, 127.0.0.1 included.
  out +=
      "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
      "\t\tfib daddr type local jump publish\n\t}\n\n"
      "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
      "\t\tfib daddr type local jump publish\n\t}\n\n"
      "\tchain publish {\n";
  for (const char* p : {"tcp", "udp"})
    out += fmt::format(
        "\t\tmeta l4proto {0} dnat ip to ip daddr . {0} dport map @hostports_{0}\n"
        "\t\tmeta l4proto {0} dnat ip to {0} dport map @ports_{0}\n",
        p);
  out += "\t}\n\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n";
  for (const auto& n : networks) {
    const auto& b = n.bridge;
    auto subnet = n.subnet.str();
    // Outbound from containers leaves with the host's address.
    if (!n.internal)
      out += fmt::format("\t\tip saddr {} oifname != \"{}\" masquerade\n", subnet, b);
    // 127.0.0.1 -> published port: the source must become the bridge
    // address or the container's reply would go to its own loopback.
    out += fmt::format("\t\toifname \"{}\" ip saddr 127.0.0.0/8 masquerade\n", b);
    // Hairpin: a container reaching its own (or a neighbour's) published
    // port through a host address; without masquerade the reply would
    // bypass the DNAT and be dropped by the client.
    out += fmt::format("\t\toifname \"{}\" ip saddr {} ct status dnat masquerade\n", b, subnet);
  }
  out += "\t}\n}\n";
  return out;
}

std::string ports_command(const char* verb, const Network& net, const Endpoint& ep, bool keys_only) {
  std::string out;
  if (!publishes(net, ep)) return out;
  for (const auto& b : ep.ports)
    out += fmt::format("{} element ip {} {} {{ {} }}\n", verb, kNatTable, map_name(b),
                       keys_only ? element_key(b) : element(ep, b));
  return out;
}

}  // namespace

std::string full_ruleset(const std::vector<Network>& networks,
                         const std::vector<Endpoint>& endpoints) {
  // "add" then "delete" is the portable "destroy if present" in one
  // transaction: the kernel never sees a moment without our rules.
  return fmt::format("add table inet {0}\ndelete table inet {0}\nadd table ip {1}\n"
                     "delete table ip {1}\n",
                     kFilterTable, kNatTable) +
         filter_table(networks) + nat_table(networks, endpoints);
}

std::string add_ports(const Network& net, const Endpoint& ep) {
  return ports_command("add", net, ep, false);
}

std::string delete_ports(const Network& net, const Endpoint& ep) {
  return ports_command("delete", net, ep, true);
}

std::string delete_all() {
  return fmt::format("add table inet {0}\ndelete table inet {0}\nadd table ip {1}\n"
                     "delete table ip {1}\n",
                     kFilterTable, kNatTable);
}

}  // namespace berth::net::nft
