// rtnetlink operations against the real kernel, inside test namespaces.
#include <gtest/gtest.h>

#include "net/nl/rtnl.hpp"
#include "netns_fixture.hpp"
#include "support/root.hpp"

namespace berth::net {
namespace {

using testing::sh_in;
using testing::TestNetns;

TEST(Rtnl, BridgeVethIntoNamespaceAddressesRoutes) {
  BERTH_REQUIRE_ROOT();
  TestNetns host("host"), ctr("ctr");
  ASSERT_TRUE(host.ok() && ctr.ok());
  auto hs = nl::Socket::open_in(host.fd());
  ASSERT_TRUE(hs) << hs.error().to_string();
  nl::LinkSpec bridge;
  bridge.name = "berth0";
  bridge.mtu = 1450;
  bridge.up = true;
  ASSERT_TRUE(nl::create_bridge(*hs, bridge));
  auto br = nl::get_link(*hs, "berth0");
  ASSERT_TRUE(br);
  EXPECT_EQ(br->kind, "bridge");
  ASSERT_TRUE(nl::add_address(*hs, br->index, *Ipv4::parse("10.77.0.1"), 24));

  // Old path: create both ends here, then move, rename and configure.
  nl::VethSpec spec;
  spec.host.name = "vbtest1";
  spec.host.mtu = 1450;
  spec.host.up = true;
  spec.host.master = br->index;
  spec.peer.name = "vbtest1p";
  spec.peer.mtu = 1450;
  auto made = nl::create_veth(*hs, spec);
  ASSERT_TRUE(made) << made.error().to_string();
  auto peer = nl::get_link(*hs, "vbtest1p");
  ASSERT_TRUE(peer);
  ASSERT_TRUE(nl::set_mac(*hs, peer->index, *Mac::parse("02:42:0a:4d:00:02")));
  ASSERT_TRUE(nl::set_netns(*hs, peer->index, ctr.fd()));
  auto cs = nl::Socket::open_in(ctr.fd());
  ASSERT_TRUE(cs);
  auto moved = nl::get_link(*cs, "vbtest1p");
  ASSERT_TRUE(moved) << moved.error().to_string();
  ASSERT_TRUE(nl::set_name(*cs, moved->index, "eth0"));
  ASSERT_TRUE(nl::set_up(*cs, moved->index, true));
  ASSERT_TRUE(nl::set_up(*cs, 1, true));
  ASSERT_TRUE(nl::add_address(*cs, moved->index, *Ipv4::parse("10.77.0.2"), 24));
  ASSERT_TRUE(nl::add_default_route(*cs, moved->index, *Ipv4::parse("10.77.0.1")));
  auto host_end = nl::get_link(*hs, "vbtest1");
  ASSERT_TRUE(host_end);
  ASSERT_TRUE(nl::set_hairpin(*hs, host_end->index, true));

  EXPECT_NE(sh_in(ctr, "ip -o link show eth0").find("02:42:0a:4d:00:02"), std::string::npos);
  EXPECT_NE(sh_in(ctr, "ip route").find("default via 10.77.0.1 dev eth0"), std::string::npos);
  EXPECT_NE(sh_in(host, "ip -d link show vbtest1").find("hairpin on"), std::string::npos);
  EXPECT_NE(sh_in(host, "ip link show vbtest1").find("master berth0"), std::string::npos);
  int rc = -1;
  sh_in(ctr, "busybox ping -c1 -W2 10.77.0.1", &rc);
  EXPECT_EQ(rc, 0);

  auto routes = nl::list_ipv4_routes(*cs);
  ASSERT_TRUE(routes);
  bool saw_default = false;
  for (auto& r : *routes) saw_default |= r.dst.prefix == 0 && r.gateway && r.gateway->str() == "10.77.0.1";
  EXPECT_TRUE(saw_default);
  EXPECT_EQ(nl::default_route_mtu(*cs).value(), 1450u);

  ASSERT_TRUE(nl::delete_link(*hs, "vbtest1"));
  EXPECT_EQ(nl::get_link(*cs, "eth0").error().category(), ErrorCategory::NotFound);
}

TEST(Rtnl, VethPeerBornInsideNamespace) {
  BERTH_REQUIRE_ROOT();
  TestNetns host("host"), ctr("ctr");
  auto hs = nl::Socket::open_in(host.fd());
  ASSERT_TRUE(hs);
  nl::VethSpec spec;
  spec.host.name = "vbtest2";
  spec.host.up = true;
  spec.peer.name = "eth0";
  spec.peer.mac = Mac::parse("02:42:0a:4d:00:03").value();
  spec.peer.netns_fd = ctr.fd();
  auto made = nl::create_veth(*hs, spec);
  ASSERT_TRUE(made) << made.error().to_string();
  auto cs = nl::Socket::open_in(ctr.fd());
  ASSERT_TRUE(cs);
  auto eth0 = nl::get_link(*cs, "eth0");
  ASSERT_TRUE(eth0);
  ASSERT_TRUE(nl::set_up(*cs, eth0->index, true));
  auto out = sh_in(ctr, "ip -o link show eth0");
  EXPECT_NE(out.find("02:42:0a:4d:00:03"), std::string::npos) << out;
  EXPECT_NE(out.find("UP"), std::string::npos) << out;
  // A second create of the same name is refused, with the kernel's reason.
  auto again = nl::create_veth(*hs, spec);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().sys_errno(), EEXIST);
}

}  // namespace
}  // namespace berth::net
