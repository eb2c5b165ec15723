// Fuzz target: the user-facing network parsers (-p specs, addresses,
// subnets, MACs, --add-host, resolv.conf, network modes). None may crash,
// and what parses must print back to something that parses the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/files/etc_files.hpp"
#include "net/ipv4.hpp"
#include "net/model.hpp"
#include "net/ports.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::net;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto ip = Ipv4::parse(in); ip && *Ipv4::parse(ip->str()) != *ip) __builtin_trap();
  if (auto s = Subnet::parse(in); s && *Subnet::parse(s->str()) != *s) __builtin_trap();
  if (auto m = Mac::parse(in); m && !(*Mac::parse(m->str()) == *m)) __builtin_trap();
  if (auto r = parse_publish(in)) {
    if (r->container_port_first == 0 || r->container_port_last < r->container_port_first)
      __builtin_trap();
  }
  (void)parse_add_host(in, Ipv4{0x0a000001});
  auto rc = parse_resolv_conf(in);
  (void)resolv_conf_file(rc, {}, std::nullopt);
  (void)NetworkMode::parse(in);
  return 0;
}
