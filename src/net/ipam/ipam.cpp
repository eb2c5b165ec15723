#include "net/ipam/ipam.hpp"

#include <fmt/format.h>

namespace berth::net::ipam {

std::vector<Pool> default_pools() {
  std::vector<Pool> pools;
  for (uint32_t second = 17; second <= 31; ++second)
    pools.push_back({Subnet{Ipv4{(172u << 24) | (second << 16)}, 16}, 16});
  pools.push_back({*Subnet::parse("192.168.0.0/16"), 20});
  return pools;
}

Result<Subnet> pick_subnet(const std::vector<Pool>& pools, const std::vector<Subnet>& taken) {
  for (const auto& pool : pools) {
    if (pool.prefix < pool.base.prefix || pool.prefix > 30) continue;
    uint64_t step = uint64_t{1} << (32 - pool.prefix);
    for (uint64_t v = pool.base.network.value; v <= pool.base.last().value; v += step) {
      Subnet candidate{Ipv4{static_cast<uint32_t>(v)}, pool.prefix};
      bool clash = false;
      for (const auto& t : taken) clash = clash || t.overlaps(candidate);
      if (!clash) return candidate;
    }
  }
  return make_error(ErrorCategory::Unavailable,
                    "could not find an available, non-overlapping IPv4 address pool among the "
                    "defaults to assign to the network");
}

std::vector<Subnet> taken_by_host(const HostView& host) {
  std::vector<Subnet> out;
  for (const auto& r : host.routes)
    if (r.prefix > 0) out.push_back(r);
  for (const auto& a : host.addresses)
    if (a.prefix > 0 && !a.network.is_loopback()) out.push_back(a);
  return out;
}

Ipv4 default_gateway(const Subnet& subnet) { return Ipv4{subnet.network.value + 1}; }

Result<> validate(const Network& net) {
  const auto& s = net.subnet;
  if (s.prefix < 8 || s.prefix > 30)
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("subnet {}: prefix must be between /8 and /30", s.str()));
  if (!s.contains(net.gateway) || net.gateway == s.first() || net.gateway == s.last())
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("no matching subnet for gateway {}", net.gateway.str()));
  if (net.ip_range && !s.contains(*net.ip_range))
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("no matching subnet for range {}", net.ip_range->str()));
  return ok();
}

namespace {

bool usable(const Network& net, Ipv4 ip, const std::set<uint32_t>& used) {
  const auto& s = net.subnet;
  if (!s.contains(ip) || ip == s.first() || ip == s.last() || ip == net.gateway) return false;
  if (net.ip_range && !net.ip_range->contains(ip)) return false;
  return !used.contains(ip.value);
}

}  // namespace

Result<Ipv4> pick_address(const Network& net, const std::set<uint32_t>& used, Ipv4 hint,
                          std::optional<Ipv4> want) {
  if (want) {
    const auto& range = net.ip_range ? *net.ip_range : net.subnet;
    if (!range.contains(*want) || *want == net.subnet.first() || *want == net.subnet.last() ||
        *want == net.gateway)
      return make_error(ErrorCategory::InvalidArgument,
                        fmt::format("no available IPv4 address {} on network {}: not in its pool",
                                    want->str(), net.name));
    if (used.contains(want->value))
      return make_error(ErrorCategory::Conflict,
                        fmt::format("Address already in use: {}", want->str()));
    return *want;
  }
  const auto& range = net.ip_range ? *net.ip_range : net.subnet;
  uint64_t n = range.size();
  uint64_t start = range.contains(hint) ? hint.value - range.first().value + 1 : 0;
  for (uint64_t i = 0; i < n; ++i) {
    Ipv4 ip{static_cast<uint32_t>(range.first().value + (start + i) % n)};
    if (usable(net, ip, used)) return ip;
  }
  return make_error(ErrorCategory::Unavailable,
                    fmt::format("no available IPv4 addresses on network {}", net.name));
}

bool conflicts(const PortBinding& a, const PortBinding& b) {
  if (a.proto != b.proto || a.host_port != b.host_port) return false;
  return a.host_ip == b.host_ip || a.host_ip.is_unspecified() || b.host_ip.is_unspecified();
}

namespace {

Unexpected already_allocated(const PortBinding& b) {
  return make_error(ErrorCategory::Conflict,
                    fmt::format("Bind for {}:{} failed: port is already allocated", b.host_ip.str(),
                                b.host_port));
}

Unexpected in_use_by_host(const PortBinding& b) {
  return make_error(ErrorCategory::Conflict,
                    fmt::format("listen {}4 {}:{}: bind: address already in use",
                                proto_name(b.proto), b.host_ip.str(), b.host_port));
}

bool free_for(const PortBinding& b, const std::vector<PortBinding>& taken,
              const std::vector<PortBinding>& mine) {
  for (const auto& t : taken)
    if (conflicts(t, b)) return false;
  for (const auto& t : mine)
    if (conflicts(t, b)) return false;
  return true;
}

// One binding whose host port comes from [first, last] (or the ephemeral
// range when both are 0): the first free one, starting at `hint` for
// ephemeral ports so consecutive containers do not fight over one port.
Result<PortBinding> pick_host_port(PortBinding b, uint16_t first, uint16_t last, bool ephemeral,
                                   uint16_t& hint, const std::vector<PortBinding>& taken,
                                   const std::vector<PortBinding>& mine, const PortProbe& probe) {
  uint32_t n = static_cast<uint32_t>(last - first) + 1;
  uint32_t start = ephemeral && hint >= first && hint <= last ? hint - first : 0;
  for (uint32_t i = 0; i < n; ++i) {
    b.host_port = static_cast<uint16_t>(first + (start + i) % n);
    if (!free_for(b, taken, mine)) continue;
    if (probe && probe(b.host_ip, b.proto, b.host_port)) continue;
    if (ephemeral) hint = static_cast<uint16_t>(b.host_port + 1);
    return b;
  }
  if (n == 1) {
    if (!free_for(b, taken, mine)) return already_allocated(b);
    return in_use_by_host(b);
  }
  return make_error(ErrorCategory::Conflict,
                    fmt::format("Bind for {}:{}-{} failed: all ports are allocated",
                                b.host_ip.str(), first, last));
}

}  // namespace

Result<std::vector<PortBinding>> assign_ports(const std::vector<PortRequest>& requests,
                                              const std::vector<PortBinding>& taken,
                                              PortRange ephemeral, uint16_t& hint,
                                              const PortProbe& host_in_use) {
  std::vector<PortBinding> mine;
  for (const auto& r : requests) {
    uint32_t cports = static_cast<uint32_t>(r.container_port_last - r.container_port_first) + 1;
    uint32_t hports = r.host_port_first == 0
                          ? 0
                          : static_cast<uint32_t>(r.host_port_last - r.host_port_first) + 1;
    for (uint32_t i = 0; i < cports; ++i) {
      PortBinding b;
      b.host_ip = r.host_ip.value_or(Ipv4{});
      b.proto = r.proto;
      b.container_port = static_cast<uint16_t>(r.container_port_first + i);
      uint16_t first = ephemeral.first, last = ephemeral.last;
      bool eph = hports == 0;
      if (!eph && hports == cports) {
        first = last = static_cast<uint16_t>(r.host_port_first + i);
      } else if (!eph) {
        // One container port and a host range: any free port of the range.
        first = r.host_port_first;
        last = r.host_port_last;
      }
      mine.push_back(TRY(pick_host_port(b, first, last, eph, hint, taken, mine, host_in_use)));
    }
  }
  return mine;
}

}  // namespace berth::net::ipam
