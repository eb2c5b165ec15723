#include "net/ipam/ipam.hpp"

#include <gtest/gtest.h>

namespace berth::net::ipam {
namespace {

Subnet S(const char* s) { return Subnet::parse(s).value(); }
Ipv4 I(const char* s) { return Ipv4::parse(s).value(); }

Network make_net(const char* subnet, const char* range = nullptr) {
  Network n;
  n.name = "test";
  n.subnet = S(subnet);
  n.gateway = default_gateway(n.subnet);
  if (range) n.ip_range = S(range);
  return n;
}

TEST(PickSubnet, SkipsWhatTheHostRoutesAndHasOnInterfaces) {
  // docker0 holds 172.17/16 (even when down its address is still there), a
  // VPN routes 172.18.5.0/24, the default route must not count.
  HostView host;
  host.routes = {S("0.0.0.0/0"), S("172.18.5.0/24"), S("192.0.2.0/24")};
  host.addresses = {S("172.17.0.1/16"), S("127.0.0.1/8")};
  auto taken = taken_by_host(host);
  auto s = pick_subnet(default_pools(), taken);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "172.19.0.0/16");
  taken.push_back(*s);
  EXPECT_EQ(pick_subnet(default_pools(), taken)->str(), "172.20.0.0/16");
}

TEST(PickSubnet, FallsBackTo192168Twenties) {
  std::vector<Subnet> taken{S("172.16.0.0/12"), S("192.168.0.0/20")};
  EXPECT_EQ(pick_subnet(default_pools(), taken)->str(), "192.168.16.0/20");
  taken.push_back(S("192.168.0.0/16"));
  auto none = pick_subnet(default_pools(), taken);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().category(), ErrorCategory::Unavailable);
}

TEST(PickAddress, SequentialRoundRobinSkippingGatewayAndBroadcast) {
  auto net = make_net("10.9.0.0/29");  // .1 gateway, .2-.6 usable, .7 broadcast
  std::set<uint32_t> used;
  Ipv4 hint{};
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) {
    auto ip = pick_address(net, used, hint, std::nullopt);
    ASSERT_TRUE(ip);
    used.insert(ip->value);
    hint = *ip;
    got.push_back(ip->str());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5",
                                           "10.9.0.6"}));
  EXPECT_EQ(pick_address(net, used, hint, std::nullopt).error().category(),
            ErrorCategory::Unavailable);
  // Freeing .3 makes it the next one, after wrapping past the end.
  used.erase(I("10.9.0.3").value);
  EXPECT_EQ(pick_address(net, used, hint, std::nullopt)->str(), "10.9.0.3");
}

TEST(PickAddress, FreedAddressIsNotReusedImmediately) {
  auto net = make_net("10.9.0.0/24");
  std::set<uint32_t> used{I("10.9.0.2").value};
  // .3 was just released; the hint still points at it.
  EXPECT_EQ(pick_address(net, used, I("10.9.0.3"), std::nullopt)->str(), "10.9.0.4");
}

TEST(PickAddress, HonoursIpRangeAndRequestedAddress) {
  auto net = make_net("10.9.0.0/16", "10.9.5.0/24");
  std::set<uint32_t> used;
  EXPECT_EQ(pick_address(net, used, Ipv4{}, std::nullopt)->str(), "10.9.5.0");
  EXPECT_EQ(pick_address(net, used, Ipv4{}, I("10.9.5.77"))->str(), "10.9.5.77");
  EXPECT_EQ(pick_address(net, used, Ipv4{}, I("10.9.6.1")).error().category(),
            ErrorCategory::InvalidArgument);
  EXPECT_EQ(pick_address(net, used, Ipv4{}, I("10.9.0.1")).error().category(),
            ErrorCategory::InvalidArgument);  // the gateway
  used.insert(I("10.9.5.77").value);
  auto taken = pick_address(net, used, Ipv4{}, I("10.9.5.77"));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().category(), ErrorCategory::Conflict);
  EXPECT_EQ(taken.error().message(), "Address already in use: 10.9.5.77");
}

TEST(Validate, GatewayAndRangeMustFitTheSubnet) {
  auto net = make_net("10.9.0.0/24");
  EXPECT_TRUE(validate(net));
  net.gateway = I("10.9.1.1");
  EXPECT_FALSE(validate(net));
  net.gateway = I("10.9.0.255");
  EXPECT_FALSE(validate(net));
  net = make_net("10.9.0.0/24", "10.9.0.128/25");
  EXPECT_TRUE(validate(net));
  net.ip_range = S("10.9.0.0/23");
  EXPECT_FALSE(validate(net));
}

PortRequest req(uint16_t hf, uint16_t hl, uint16_t cf, uint16_t cl, Proto p = Proto::Tcp,
                std::optional<Ipv4> ip = std::nullopt) {
  PortRequest r;
  r.host_ip = ip;
  r.host_port_first = hf;
  r.host_port_last = hl;
  r.container_port_first = cf;
  r.container_port_last = cl;
  r.proto = p;
  return r;
}

TEST(AssignPorts, ExplicitRangesAndConflicts) {
  uint16_t hint = 0;
  PortRange eph{50000, 50010};
  auto got = assign_ports({req(8000, 8002, 80, 82)}, {}, eph, hint, {});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[2].host_port, 8002);
  EXPECT_EQ((*got)[2].container_port, 82);

  // Same port on udp is fine; on tcp it is "already allocated", also when
  // one side binds every address and the other one address.
  EXPECT_TRUE(assign_ports({req(8000, 8000, 53, 53, Proto::Udp)}, *got, eph, hint, {}));
  auto clash = assign_ports({req(8001, 8001, 80, 80, Proto::Tcp, I("127.0.0.1"))}, *got, eph,
                            hint, {});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message(), "Bind for 127.0.0.1:8001 failed: port is already allocated");
  // Two different specific addresses do not clash.
  std::vector<PortBinding> lo = *assign_ports({req(9000, 9000, 80, 80, Proto::Tcp, I("127.0.0.1"))},
                                              {}, eph, hint, {});
  EXPECT_TRUE(assign_ports({req(9000, 9000, 80, 80, Proto::Tcp, I("127.0.0.2"))}, lo, eph, hint, {}));
}

TEST(AssignPorts, EphemeralSkipsTakenAndHostHeldPorts) {
  uint16_t hint = 0;
  PortRange eph{50000, 50003};
  PortBinding held;
  held.host_port = 50000;
  auto probe = [](Ipv4, Proto, uint16_t port) { return port == 50001; };  // a host listener
  auto got = assign_ports({req(0, 0, 80, 81)}, {held}, eph, hint, probe);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)[0].host_port, 50002);
  EXPECT_EQ((*got)[1].host_port, 50003);
  EXPECT_EQ(hint, 50004);
  auto full = assign_ports({req(0, 0, 90, 90)}, *got, eph, hint, probe);
  // 50000 held by another container, 50001 by the host, 50002-3 by us.
  EXPECT_FALSE(assign_ports({req(0, 0, 90, 90)}, [&] {
                 auto all = *got;
                 all.push_back(held);
                 return all;
               }(), eph, hint, probe));
  EXPECT_TRUE(full);  // without `held` among taken, 50000 is free again
}

TEST(AssignPorts, HostRangeForOneContainerPortPicksAFreeOne) {
  uint16_t hint = 0;
  PortBinding taken;
  taken.host_port = 8000;
  auto got = assign_ports({req(8000, 8005, 80, 80)}, {taken}, {}, hint, {});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].host_port, 8001);
  auto host_held = assign_ports({req(7000, 7000, 80, 80)}, {}, {}, hint,
                                [](Ipv4, Proto, uint16_t) { return true; });
  ASSERT_FALSE(host_held);
  EXPECT_EQ(host_held.error().message(), "listen tcp4 0.0.0.0:7000: bind: address already in use");
}

}  // namespace
}  // namespace berth::net::ipam
