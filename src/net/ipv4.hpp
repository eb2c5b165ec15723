// IPv4 addresses, subnets and MAC addresses as values. Parsing is strict
// (no octal, no short forms) because these strings come from API users.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::net {

// An IPv4 address in host byte order, so arithmetic and ordering work.
struct Ipv4 {
  uint32_t value = 0;

  static Result<Ipv4> parse(std::string_view text);
  // From network byte order (what the kernel and sockets use).
  static Ipv4 from_be(uint32_t be);
  uint32_t to_be() const;
  std::array<uint8_t, 4> bytes() const;
  std::string str() const;
  bool is_loopback() const { return (value >> 24) == 127; }
  bool is_unspecified() const { return value == 0; }

  auto operator<=>(const Ipv4&) const = default;
};

// A CIDR prefix; the address is always masked to the network.
struct Subnet {
  Ipv4 network;
  int prefix = 0;

  static Result<Subnet> parse(std::string_view cidr);
  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  bool contains(Ipv4 ip) const { return (ip.value & mask()) == network.value; }
  bool contains(const Subnet& other) const {
    return other.prefix >= prefix && contains(other.network);
  }
  bool overlaps(const Subnet& other) const { return contains(other) || other.contains(*this); }
  Ipv4 first() const { return network; }
  Ipv4 last() const { return Ipv4{network.value | ~mask()}; }
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  std::string str() const;

  auto operator<=>(const Subnet&) const = default;
};

struct Mac {
  std::array<uint8_t, 6> bytes{};

  static Result<Mac> parse(std::string_view text);
  // Docker's scheme: 02:42 followed by the IPv4 address, so a MAC is stable
  // for an address and never collides between containers of one host.
  static Mac from_ipv4(Ipv4 ip);
  std::string str() const;
  bool operator==(const Mac&) const = default;
};

}  // namespace berth::net
