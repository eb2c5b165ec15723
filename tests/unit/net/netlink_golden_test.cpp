// Golden tests of the rtnetlink requests berth sends, checked without root.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include "net/nl/rtnl.hpp"

namespace berth::net::nl {
namespace {

TEST(NetlinkGolden, CreateBridge) {
  LinkSpec spec;
  spec.name = "berth0";
  spec.mtu = 1500;
  spec.up = true;
  EXPECT_EQ(describe(build_create_bridge(spec)),
            "RTM_NEWLINK request|ack|create|excl\n"
            "ifinfo family=0 index=0 flags=0x1 change=0x1\n"
            "3: \"berth0\"\n"     // IFLA_IFNAME
            "4: u32:1500\n"       // IFLA_MTU
            "18: {\n"             // IFLA_LINKINFO
            "  1: \"bridge\"\n"   // IFLA_INFO_KIND
            "}\n");
}

TEST(NetlinkGolden, VethWithPeerCreatedInContainerNamespace) {
  VethSpec spec;
  spec.host.name = "vb1234abcd";
  spec.host.mtu = 1400;
  spec.host.up = true;
  spec.host.master = 7;
  spec.peer.name = "eth0";
  spec.peer.mtu = 1400;
  spec.peer.mac = Mac::parse("02:42:0a:58:00:02").value();
  spec.peer.netns_fd = 9;
  EXPECT_EQ(describe(build_create_veth(spec)),
            "RTM_NEWLINK request|ack|create|excl\n"
            "ifinfo family=0 index=0 flags=0x1 change=0x1\n"
            "3: \"vb1234abcd\"\n"
            "4: u32:1400\n"
            "10: u32:7\n"  // IFLA_MASTER: the host end joins the bridge as it is born
            "18: {\n"
            "  1: \"veth\"\n"
            "  2: {\n"     // IFLA_INFO_DATA
            "    1: {\n"   // VETH_INFO_PEER
            "      ifinfo family=0 index=0 flags=0x0 change=0x0\n"
            "      3: \"eth0\"\n"
            "      4: u32:1400\n"
            "      1: hex:02420a580002\n"  // IFLA_ADDRESS
            "      28: u32:9\n"            // IFLA_NET_NS_FD
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(NetlinkGolden, AddressRouteAndHairpin) {
  EXPECT_EQ(describe(build_add_address(3, *Ipv4::parse("10.88.0.1"), 16)),
            "RTM_NEWADDR request|ack|create|excl\n"
            "ifaddr family=2 prefixlen=16 scope=0 index=3\n"
            "2: u32:16799754\n"   // IFA_LOCAL (network order 10.88.0.1)
            "1: u32:16799754\n"   // IFA_ADDRESS
            "4: u32:4294924298\n"  // IFA_BROADCAST 10.88.255.255
            );
  EXPECT_EQ(describe(build_add_default_route(2, *Ipv4::parse("10.88.0.1"))),
            "RTM_NEWROUTE request|ack|create|excl\n"
            "rtmsg family=2 dst_len=0 table=254 protocol=3 scope=0 type=1\n"
            "5: u32:16799754\n"  // RTA_GATEWAY
            "4: u32:2\n");       // RTA_OIF
  EXPECT_EQ(describe(build_set_hairpin(5, true)),
            "RTM_SETLINK request|ack\n"
            "ifinfo family=7 index=5 flags=0x0 change=0x0\n"
            "12: {\n"       // IFLA_PROTINFO
            "  4: u8:1\n"   // IFLA_BRPORT_MODE (hairpin)
            "}\n");
}

TEST(NetlinkGolden, LinkChanges) {
  EXPECT_EQ(describe(build_set_up(4, false)),
            "RTM_NEWLINK request|ack\nifinfo family=0 index=4 flags=0x0 change=0x1\n");
  EXPECT_EQ(describe(build_set_name(4, "eth0")),
            "RTM_NEWLINK request|ack\nifinfo family=0 index=4 flags=0x0 change=0x0\n"
            "3: \"eth0\"\n");
  EXPECT_EQ(describe(build_set_netns(4, 11)),
            "RTM_NEWLINK request|ack\nifinfo family=0 index=4 flags=0x0 change=0x0\n"
            "28: u32:11\n");
  EXPECT_EQ(describe(build_delete_link("vbdead")),
            "RTM_DELLINK request|ack\nifinfo family=0 index=0 flags=0x0 change=0x0\n"
            "3: \"vbdead\"\n");
}

}  // namespace
}  // namespace berth::net::nl
