// Dumps of links, addresses and routes, parsed into plain structs.
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "net/nl/rtnl.hpp"

namespace berth::net::nl {

namespace {

struct AttrTable {
  static constexpr int kMax = 64;
  const nlattr* at[kMax] = {};
};

int collect_attr(const nlattr* a, void* data) {
  auto* table = static_cast<AttrTable*>(data);
  auto type = mnl_attr_get_type(a);
  if (type < AttrTable::kMax) table->at[type] = a;
  return MNL_CB_OK;
}

std::string link_kind(const nlattr* linkinfo) {
  if (!linkinfo) return {};
  AttrTable info;
  mnl_attr_parse_nested(linkinfo, collect_attr, &info);
  return info.at[IFLA_INFO_KIND] ? mnl_attr_get_str(info.at[IFLA_INFO_KIND]) : "";
}

LinkInfo parse_link(const nlmsghdr* nlh) {
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable t;
  mnl_attr_parse(nlh, sizeof(ifinfomsg), collect_attr, &t);
  LinkInfo link;
  link.index = ifi->ifi_index;
  link.up = (ifi->ifi_flags & IFF_UP) != 0;
  if (t.at[IFLA_IFNAME]) link.name = mnl_attr_get_str(t.at[IFLA_IFNAME]);
  if (t.at[IFLA_MTU]) link.mtu = mnl_attr_get_u32(t.at[IFLA_MTU]);
  if (t.at[IFLA_MASTER]) link.master = static_cast<int>(mnl_attr_get_u32(t.at[IFLA_MASTER]));
  if (t.at[IFLA_ADDRESS] && mnl_attr_get_payload_len(t.at[IFLA_ADDRESS]) == 6) {
    Mac mac;
    std::memcpy(mac.bytes.data(), mnl_attr_get_payload(t.at[IFLA_ADDRESS]), 6);
    link.mac = mac;
  }
  link.kind = link_kind(t.at[IFLA_LINKINFO]);
  return link;
}

Ipv4 attr_ipv4(const nlattr* a) {
  uint32_t be = 0;
  std::memcpy(&be, mnl_attr_get_payload(a), 4);
  return Ipv4::from_be(be);
}

}  // namespace

Result<LinkInfo> get_link(Socket& s, const std::string& name) {
  Message m(RTM_GETLINK, 0);
  auto* ifi = m.family_header<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  m.put_str(IFLA_IFNAME, name);
  // A GETLINK for one link answers with the link, then the ack; use the
  // dump reader, which stops at the ack (or reports ENODEV).
  std::optional<LinkInfo> found;
  auto r = s.dump(m, [&](const nlmsghdr* nlh) {
    if (nlh->nlmsg_type == RTM_NEWLINK) found = parse_link(nlh);
  });
  if (!r) {
    if (r.error().sys_errno() == ENODEV)
      return make_error(ErrorCategory::NotFound, "link " + name + " not found");
    return tl::unexpected(std::move(r.error()).wrap("get link " + name));
  }
  if (!found) return make_error(ErrorCategory::NotFound, "link " + name + " not found");
  return *found;
}

Result<std::vector<LinkInfo>> list_links(Socket& s) {
  Message m(RTM_GETLINK, NLM_F_DUMP);
  m.family_header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  std::vector<LinkInfo> links;
  TRY_CTX(s.dump(m, [&](const nlmsghdr* nlh) {
            if (nlh->nlmsg_type == RTM_NEWLINK) links.push_back(parse_link(nlh));
          }),
          "list links");
  return links;
}

Result<std::vector<AddrInfo>> list_ipv4_addresses(Socket& s) {
  Message m(RTM_GETADDR, NLM_F_DUMP);
  m.family_header<ifaddrmsg>()->ifa_family = AF_INET;
  std::vector<AddrInfo> out;
  TRY_CTX(s.dump(m,
                 [&](const nlmsghdr* nlh) {
                   if (nlh->nlmsg_type != RTM_NEWADDR) return;
                   const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
                   AttrTable t;
                   mnl_attr_parse(nlh, sizeof(ifaddrmsg), collect_attr, &t);
                   const nlattr* a = t.at[IFA_LOCAL] ? t.at[IFA_LOCAL] : t.at[IFA_ADDRESS];
                   if (!a || ifa->ifa_family != AF_INET) return;
                   out.push_back({static_cast<int>(ifa->ifa_index), attr_ipv4(a),
                                  ifa->ifa_prefixlen});
                 }),
          "list addresses");
  return out;
}

Result<std::vector<RouteInfo>> list_ipv4_routes(Socket& s) {
  Message m(RTM_GETROUTE, NLM_F_DUMP);
  m.family_header<rtmsg>()->rtm_family = AF_INET;
  std::vector<RouteInfo> out;
  TRY_CTX(s.dump(m,
                 [&](const nlmsghdr* nlh) {
                   if (nlh->nlmsg_type != RTM_NEWROUTE) return;
                   const auto* rt = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
                   if (rt->rtm_family != AF_INET || rt->rtm_type != RTN_UNICAST) return;
                   AttrTable t;
                   mnl_attr_parse(nlh, sizeof(rtmsg), collect_attr, &t);
                   RouteInfo r;
                   r.table = t.at[RTA_TABLE] ? mnl_attr_get_u32(t.at[RTA_TABLE]) : rt->rtm_table;
                   Ipv4 dst = t.at[RTA_DST] ? attr_ipv4(t.at[RTA_DST]) : Ipv4{};
                   r.dst = Subnet{dst, rt->rtm_dst_len};
                   r.dst.network.value &= r.dst.mask();
                   if (t.at[RTA_GATEWAY]) r.gateway = attr_ipv4(t.at[RTA_GATEWAY]);
                   if (t.at[RTA_OIF]) r.oif = static_cast<int>(mnl_attr_get_u32(t.at[RTA_OIF]));
                   out.push_back(r);
                 }),
          "list routes");
  return out;
}

Result<uint32_t> default_route_mtu(Socket& s) {
  auto routes = TRY(list_ipv4_routes(s));
  for (const auto& r : routes) {
    if (r.dst.prefix != 0 || r.table != RT_TABLE_MAIN || r.oif == 0) continue;
    auto links = TRY(list_links(s));
    for (const auto& l : links)
      if (l.index == r.oif && l.mtu >= 576) return l.mtu;
  }
  return 1500u;
}

}  // namespace berth::net::nl
