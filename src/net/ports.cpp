#include "net/ports.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace berth::net {

namespace {

Unexpected invalid(std::string_view spec, std::string_view why) {
  return make_error(ErrorCategory::InvalidArgument,
                    fmt::format("invalid port specification: \"{}\": {}", spec, why));
}

struct Range {
  uint16_t first = 0, last = 0;
};

Result<Range> parse_range(std::string_view text, bool allow_zero) {
  auto [a, b, dash] = split_once(text, '-');
  auto first = parse_int<uint32_t>(a);
  auto last = dash ? parse_int<uint32_t>(b) : first;
  if (!first || !last || *first > 65535 || *last > 65535 || *last < *first ||
      (!allow_zero && *first == 0))
    return make_error(ErrorCategory::InvalidArgument, "bad port or range");
  return Range{static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)};
}

}  // namespace

Result<PortRequest> parse_publish(std::string_view spec) {
  PortRequest r;
  std::string_view body = spec;
  auto slash = body.rfind('/');
  if (slash != std::string_view::npos) {
    auto proto = body.substr(slash + 1);
    if (proto == "udp") r.proto = Proto::Udp;
    else if (proto != "tcp") return invalid(spec, "protocol must be tcp or udp");
    body = body.substr(0, slash);
  }
  if (body.starts_with('[')) return invalid(spec, "IPv6 host addresses are not supported");
  auto parts = split(body, ':');
  if (parts.empty() || parts.size() > 3) return invalid(spec, "too many colons");
  std::string_view container = parts.back();
  std::string_view host_port = parts.size() >= 2 ? std::string_view(parts[parts.size() - 2]) : "";
  if (parts.size() == 3 && !parts[0].empty()) {
    auto ip = Ipv4::parse(parts[0]);
    if (!ip) return invalid(spec, "bad host address");
    r.host_ip = *ip;
  }
  auto c = parse_range(container, false);
  if (!c) return invalid(spec, "bad container port");
  r.container_port_first = c->first;
  r.container_port_last = c->last;
  if (!host_port.empty()) {
    auto h = parse_range(host_port, false);
    if (!h) return invalid(spec, "bad host port");
    uint32_t hn = h->last - h->first + 1u, cn = c->last - c->first + 1u;
    if (cn > 1 && hn != cn)
      return invalid(spec, "invalid ranges specified for container and host ports");
    r.host_port_first = h->first;
    r.host_port_last = h->last;
  }
  return r;
}

Result<std::vector<PortRequest>> publish_all(const std::vector<std::string>& exposed) {
  std::vector<PortRequest> out;
  for (const auto& e : exposed) out.push_back(TRY(parse_publish(e)));
  for (auto& r : out) r.host_port_first = r.host_port_last = 0;
  return out;
}

std::map<std::string, std::vector<HostBinding>> docker_ports(
    const std::vector<PortBinding>& bindings) {
  std::map<std::string, std::vector<HostBinding>> out;
  for (const auto& b : bindings)
    out[b.port_key()].push_back({b.host_ip.str(), std::to_string(b.host_port)});
  return out;
}

std::string ports_summary(const std::vector<PortBinding>& bindings) {
  std::vector<std::string> parts;
  for (const auto& b : bindings)
    parts.push_back(fmt::format("{}:{}->{}", b.host_ip.str(), b.host_port, b.port_key()));
  return join(parts, ", ");
}

}  // namespace berth::net
