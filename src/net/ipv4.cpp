#include "net/ipv4.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace berth::net {

namespace {
Unexpected bad(std::string_view what, std::string_view text) {
  return make_error(ErrorCategory::InvalidArgument,
                    fmt::format("invalid {} \"{}\"", what, text));
}
}  // namespace

Result<Ipv4> Ipv4::parse(std::string_view text) {
  auto parts = split(text, '.');
  if (parts.size() != 4) return bad("IPv4 address", text);
  uint32_t value = 0;
  for (const auto& part : parts) {
    // Leading zeros would mean octal to inet_aton; refuse the ambiguity.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
      return bad("IPv4 address", text);
    auto octet = parse_int<uint32_t>(part);
    if (!octet || *octet > 255) return bad("IPv4 address", text);
    value = (value << 8) | *octet;
  }
  return Ipv4{value};
}

Ipv4 Ipv4::from_be(uint32_t be) { return Ipv4{ntohl(be)}; }
uint32_t Ipv4::to_be() const { return htonl(value); }

std::array<uint8_t, 4> Ipv4::bytes() const {
  return {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
          static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

std::string Ipv4::str() const {
  auto b = bytes();
  return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
}

Result<Subnet> Subnet::parse(std::string_view cidr) {
  auto [addr, len, found] = split_once(cidr, '/');
  if (!found) return bad("subnet (want a.b.c.d/len)", cidr);
  auto ip = Ipv4::parse(addr);
  auto prefix = parse_int<int>(len);
  if (!ip || !prefix || *prefix < 0 || *prefix > 32) return bad("subnet", cidr);
  Subnet s{*ip, *prefix};
  s.network.value &= s.mask();
  return s;
}

std::string Subnet::str() const { return fmt::format("{}/{}", network.str(), prefix); }

Result<Mac> Mac::parse(std::string_view text) {
  auto parts = split(text, ':');
  if (parts.size() != 6) return bad("MAC address", text);
  Mac mac;
  for (size_t i = 0; i < 6; ++i) {
    if (parts[i].size() != 2) return bad("MAC address", text);
    auto byte = parse_int<uint8_t>(parts[i], 16);
    if (!byte) return bad("MAC address", text);
    mac.bytes[i] = *byte;
  }
  // A multicast MAC on an interface breaks ARP; the kernel would refuse it.
  if (mac.bytes[0] & 1) return bad("MAC address (multicast)", text);
  return mac;
}

Mac Mac::from_ipv4(Ipv4 ip) {
  auto b = ip.bytes();
  return Mac{{0x02, 0x42, b[0], b[1], b[2], b[3]}};
}

std::string Mac::str() const {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", bytes[0], bytes[1], bytes[2],
                     bytes[3], bytes[4], bytes[5]);
}

}  // namespace berth::net
