#include "net/nl/rtnl.hpp"

#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if_arp.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace berth::net::nl {

namespace {

ifinfomsg* link_header(Message& m, int index) {
  auto* ifi = m.family_header<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  return ifi;
}

void set_flag_up(ifinfomsg* ifi, bool up) {
  ifi->ifi_change |= IFF_UP;
  if (up) ifi->ifi_flags |= IFF_UP;
}

// Attributes shared by a new link and a veth peer.
void put_link_attrs(Message& m, const LinkSpec& spec) {
  m.put_str(IFLA_IFNAME, spec.name);
  if (spec.mtu) m.put_u32(IFLA_MTU, spec.mtu);
  if (spec.mac) m.put_bytes(IFLA_ADDRESS, spec.mac->bytes.data(), spec.mac->bytes.size());
  if (spec.master) m.put_u32(IFLA_MASTER, static_cast<uint32_t>(spec.master));
  if (spec.netns_fd >= 0) m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(spec.netns_fd));
}

Message new_link(const LinkSpec& spec) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifi = link_header(m, 0);
  if (spec.up) set_flag_up(ifi, true);
  put_link_attrs(m, spec);
  return m;
}

Message set_link(int index) {
  Message m(RTM_NEWLINK, 0);
  link_header(m, index);
  return m;
}

}  // namespace

Message build_create_bridge(const LinkSpec& spec) {
  Message m = new_link(spec);
  auto info = m.begin_nest(IFLA_LINKINFO);
  m.put_str(IFLA_INFO_KIND, "bridge");
  m.end_nest(info);
  return m;
}

Message build_create_veth(const VethSpec& spec) {
  Message m = new_link(spec.host);
  auto info = m.begin_nest(IFLA_LINKINFO);
  m.put_str(IFLA_INFO_KIND, "veth");
  auto data = m.begin_nest(IFLA_INFO_DATA);
  auto peer = m.begin_nest(VETH_INFO_PEER);
  // The peer cannot be created up: the kernel opens it before the pair is
  // linked and veth_open fails with ENOTCONN. Callers bring it up after.
  m.put_raw(sizeof(ifinfomsg));
  LinkSpec peer_spec = spec.peer;
  peer_spec.master = 0;
  put_link_attrs(m, peer_spec);
  m.end_nest(peer);
  m.end_nest(data);
  m.end_nest(info);
  return m;
}

Message build_delete_link(int index) {
  Message m(RTM_DELLINK, 0);
  link_header(m, index);
  return m;
}

Message build_delete_link(const std::string& name) {
  Message m(RTM_DELLINK, 0);
  link_header(m, 0);
  m.put_str(IFLA_IFNAME, name);
  return m;
}

Message build_set_up(int index, bool up) {
  Message m(RTM_NEWLINK, 0);
  set_flag_up(link_header(m, index), up);
  return m;
}

Message build_set_master(int index, int master) {
  Message m = set_link(index);
  m.put_u32(IFLA_MASTER, static_cast<uint32_t>(master));
  return m;
}

Message build_set_mtu(int index, uint32_t mtu) {
  Message m = set_link(index);
  m.put_u32(IFLA_MTU, mtu);
  return m;
}

Message build_set_mac(int index, const Mac& mac) {
  Message m = set_link(index);
  m.put_bytes(IFLA_ADDRESS, mac.bytes.data(), mac.bytes.size());
  return m;
}

Message build_set_name(int index, const std::string& name) {
  Message m = set_link(index);
  m.put_str(IFLA_IFNAME, name);
  return m;
}

Message build_set_netns(int index, int netns_fd) {
  Message m = set_link(index);
  m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
  return m;
}

Message build_set_hairpin(int index, bool on) {
  // Bridge port options travel as AF_BRIDGE SETLINK with IFLA_PROTINFO,
  // as bridge(8) sends them.
  Message m(RTM_SETLINK, 0);
  auto* ifi = m.family_header<ifinfomsg>();
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = index;
  auto prot = m.begin_nest(IFLA_PROTINFO);
  m.put_u8(IFLA_BRPORT_MODE, on ? 1 : 0);
  m.end_nest(prot);
  return m;
}

Message build_add_address(int index, Ipv4 address, int prefix) {
  Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifa = m.family_header<ifaddrmsg>();
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<uint8_t>(prefix);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<uint32_t>(index);
  uint32_t be = address.to_be();
  m.put_bytes(IFA_LOCAL, &be, 4);
  m.put_bytes(IFA_ADDRESS, &be, 4);
  if (prefix < 31) {
    Subnet net{address, prefix};
    uint32_t bcast = Ipv4{(address.value & net.mask()) | ~net.mask()}.to_be();
    m.put_bytes(IFA_BROADCAST, &bcast, 4);
  }
  return m;
}

Message build_add_default_route(int oif, Ipv4 gateway) {
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rt = m.family_header<rtmsg>();
  rt->rtm_family = AF_INET;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  uint32_t gw = gateway.to_be();
  m.put_bytes(RTA_GATEWAY, &gw, 4);
  m.put_u32(RTA_OIF, static_cast<uint32_t>(oif));
  return m;
}

Result<> create_bridge(Socket& s, const LinkSpec& spec) {
  auto m = build_create_bridge(spec);
  return s.request(m, "create bridge " + spec.name);
}

Result<> create_veth(Socket& s, const VethSpec& spec) {
  auto m = build_create_veth(spec);
  return s.request(m, fmt::format("create veth {} (peer {})", spec.host.name, spec.peer.name));
}

Result<> delete_link(Socket& s, const std::string& name) {
  auto m = build_delete_link(name);
  return s.request(m, "delete link " + name);
}

Result<> set_up(Socket& s, int index, bool up) {
  auto m = build_set_up(index, up);
  return s.request(m, fmt::format("set link {} {}", index, up ? "up" : "down"));
}

Result<> set_master(Socket& s, int index, int master) {
  auto m = build_set_master(index, master);
  return s.request(m, fmt::format("attach link {} to bridge {}", index, master));
}

Result<> set_mtu(Socket& s, int index, uint32_t mtu) {
  auto m = build_set_mtu(index, mtu);
  return s.request(m, fmt::format("set mtu {} on link {}", mtu, index));
}

Result<> set_mac(Socket& s, int index, const Mac& mac) {
  auto m = build_set_mac(index, mac);
  return s.request(m, fmt::format("set mac {} on link {}", mac.str(), index));
}

Result<> set_name(Socket& s, int index, const std::string& name) {
  auto m = build_set_name(index, name);
  return s.request(m, fmt::format("rename link {} to {}", index, name));
}

Result<> set_netns(Socket& s, int index, int netns_fd) {
  auto m = build_set_netns(index, netns_fd);
  return s.request(m, fmt::format("move link {} to namespace", index));
}

Result<> set_hairpin(Socket& s, int index, bool on) {
  auto m = build_set_hairpin(index, on);
  return s.request(m, fmt::format("set hairpin on link {}", index));
}

Result<> add_address(Socket& s, int index, Ipv4 address, int prefix) {
  auto m = build_add_address(index, address, prefix);
  return s.request(m, fmt::format("add address {}/{} to link {}", address.str(), prefix, index));
}

Result<> add_default_route(Socket& s, int oif, Ipv4 gateway) {
  auto m = build_add_default_route(oif, gateway);
  return s.request(m, fmt::format("add default route via {}", gateway.str()));
}

}  // namespace berth::net::nl
