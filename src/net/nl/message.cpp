#include "net/nl/message.hpp"

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstring>
#include <fmt/format.h>

namespace berth::net::nl {

namespace {
// Requests are small; one page leaves room for any link with a peer.
constexpr size_t kBufSize = 4096;
}  // namespace

Message::Message(uint16_t type, uint16_t flags) : buf_(kBufSize, 0) {
  auto* nlh = mnl_nlmsg_put_header(buf_.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
}

void* Message::put_extra(size_t len) { return mnl_nlmsg_put_extra_header(header(), len); }

void* Message::put_raw(size_t len) {
  void* at = mnl_nlmsg_get_payload_tail(header());
  std::memset(at, 0, MNL_ALIGN(len));
  header()->nlmsg_len += MNL_ALIGN(len);
  return at;
}

void Message::put_u8(uint16_t type, uint8_t v) { mnl_attr_put_u8(header(), type, v); }
void Message::put_u16(uint16_t type, uint16_t v) { mnl_attr_put_u16(header(), type, v); }
void Message::put_u32(uint16_t type, uint32_t v) { mnl_attr_put_u32(header(), type, v); }
void Message::put_str(uint16_t type, std::string_view s) {
  std::string z(s);
  mnl_attr_put_strz(header(), type, z.c_str());
}
void Message::put_bytes(uint16_t type, const void* data, size_t len) {
  mnl_attr_put(header(), type, len, data);
}

size_t Message::begin_nest(uint16_t type) {
  auto* start = mnl_attr_nest_start(header(), type);
  return static_cast<size_t>(reinterpret_cast<uint8_t*>(start) - buf_.data());
}

void Message::end_nest(size_t start) {
  mnl_attr_nest_end(header(), reinterpret_cast<nlattr*>(buf_.data() + start));
}

// ---- describe -------------------------------------------------------------

namespace {

std::string type_name(uint16_t type) {
  switch (type) {
    case RTM_NEWLINK: return "RTM_NEWLINK";
    case RTM_DELLINK: return "RTM_DELLINK";
    case RTM_GETLINK: return "RTM_GETLINK";
    case RTM_SETLINK: return "RTM_SETLINK";
    case RTM_NEWADDR: return "RTM_NEWADDR";
    case RTM_DELADDR: return "RTM_DELADDR";
    case RTM_GETADDR: return "RTM_GETADDR";
    case RTM_NEWROUTE: return "RTM_NEWROUTE";
    case RTM_DELROUTE: return "RTM_DELROUTE";
    case RTM_GETROUTE: return "RTM_GETROUTE";
    default: return fmt::format("type={}", type);
  }
}

std::string flag_names(uint16_t type, uint16_t flags) {
  // NLM_F_DUMP shares bits with NLM_F_EXCL: the meaning depends on whether
  // the request is a GET or a NEW.
  bool get = type == RTM_GETLINK || type == RTM_GETADDR || type == RTM_GETROUTE;
  std::string out;
  auto add = [&](uint16_t bit, const char* name) {
    if (flags & bit) out += out.empty() ? name : std::string("|") + name;
  };
  add(NLM_F_REQUEST, "request");
  add(NLM_F_ACK, "ack");
  if (get) {
    if ((flags & NLM_F_DUMP) == NLM_F_DUMP) add(NLM_F_DUMP, "dump");
  } else {
    add(NLM_F_CREATE, "create");
    add(NLM_F_EXCL, "excl");
    add(NLM_F_REPLACE, "replace");
  }
  return out;
}

size_t family_header_len(uint16_t type) {
  switch (type) {
    case RTM_NEWLINK: case RTM_DELLINK: case RTM_GETLINK: case RTM_SETLINK:
      return sizeof(ifinfomsg);
    case RTM_NEWADDR: case RTM_DELADDR: case RTM_GETADDR: return sizeof(ifaddrmsg);
    default: return sizeof(rtmsg);
  }
}

bool is_link(uint16_t type) { return family_header_len(type) == sizeof(ifinfomsg); }

std::string hex(const uint8_t* p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", p[i]);
  return out;
}

std::string payload_text(const uint8_t* p, size_t n) {
  bool printable = n > 1 && p[n - 1] == 0;
  for (size_t i = 0; printable && i + 1 < n; ++i) printable = p[i] >= 0x20 && p[i] < 0x7f;
  if (printable) return fmt::format("\"{}\"", reinterpret_cast<const char*>(p));
  uint32_t v = 0;
  switch (n) {
    case 1: return fmt::format("u8:{}", p[0]);
    case 2: std::memcpy(&v, p, 2); return fmt::format("u16:{}", v);
    case 4: std::memcpy(&v, p, 4); return fmt::format("u32:{}", v);
    default: return "hex:" + hex(p, n);
  }
}

std::string ifinfo_text(const uint8_t* p) {
  ifinfomsg ifi;
  std::memcpy(&ifi, p, sizeof ifi);
  return fmt::format("ifinfo family={} index={} flags={:#x} change={:#x}", ifi.ifi_family,
                     ifi.ifi_index, ifi.ifi_flags, ifi.ifi_change);
}

void describe_attrs(const uint8_t* p, size_t len, int depth, bool link_info, std::string& out);

void describe_attr(const nlattr* a, int depth, bool link_info, std::string& out) {
  auto type = mnl_attr_get_type(a);
  auto* payload = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
  size_t n = mnl_attr_get_payload_len(a);
  std::string indent(static_cast<size_t>(depth) * 2, ' ');
  if (!(a->nla_type & NLA_F_NESTED)) {
    out += fmt::format("{}{}: {}\n", indent, type, payload_text(payload, n));
    return;
  }
  out += fmt::format("{}{}: {{\n", indent, type);
  // A veth peer (IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER) starts
  // with its own ifinfomsg, then ordinary link attributes.
  if (link_info && depth == 2 && type == VETH_INFO_PEER && n >= sizeof(ifinfomsg)) {
    out += fmt::format("{}  {}\n", indent, ifinfo_text(payload));
    describe_attrs(payload + sizeof(ifinfomsg), n - sizeof(ifinfomsg), depth + 1, false, out);
  } else {
    bool in_linkinfo = link_info && (depth > 0 || type == IFLA_LINKINFO);
    describe_attrs(payload, n, depth + 1, in_linkinfo, out);
  }
  out += indent + "}\n";
}

void describe_attrs(const uint8_t* p, size_t len, int depth, bool link_info, std::string& out) {
  const auto* a = reinterpret_cast<const nlattr*>(p);
  int remaining = static_cast<int>(len);
  while (mnl_attr_ok(a, remaining)) {
    describe_attr(a, depth, link_info, out);
    remaining -= static_cast<int>(MNL_ALIGN(a->nla_len));
    a = mnl_attr_next(a);
  }
}

}  // namespace

std::string describe(const uint8_t* data, size_t len) {
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(data);
  if (len < sizeof(nlmsghdr) || nlh->nlmsg_len > len) return "truncated\n";
  std::string out = fmt::format("{} {}\n", type_name(nlh->nlmsg_type), flag_names(nlh->nlmsg_type, nlh->nlmsg_flags));
  size_t fam = family_header_len(nlh->nlmsg_type);
  const auto* payload = static_cast<const uint8_t*>(mnl_nlmsg_get_payload(nlh));
  size_t plen = mnl_nlmsg_get_payload_len(nlh);
  if (plen < fam) return out + "short family header\n";
  if (is_link(nlh->nlmsg_type)) {
    out += ifinfo_text(payload) + "\n";
  } else if (fam == sizeof(ifaddrmsg)) {
    ifaddrmsg ifa;
    std::memcpy(&ifa, payload, sizeof ifa);
    out += fmt::format("ifaddr family={} prefixlen={} scope={} index={}\n", ifa.ifa_family,
                       ifa.ifa_prefixlen, ifa.ifa_scope, ifa.ifa_index);
  } else {
    rtmsg rt;
    std::memcpy(&rt, payload, sizeof rt);
    out += fmt::format("rtmsg family={} dst_len={} table={} protocol={} scope={} type={}\n",
                       rt.rtm_family, rt.rtm_dst_len, rt.rtm_table, rt.rtm_protocol, rt.rtm_scope,
                       rt.rtm_type);
  }
  describe_attrs(payload + fam, plen - fam, 0, is_link(nlh->nlmsg_type), out);
  return out;
}

}  // namespace berth::net::nl
