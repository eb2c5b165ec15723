// Golden tests of the generated nftables scripts (no root needed). The
// integration suite applies the same scripts to a real kernel.
#include <gtest/gtest.h>

#include "net/nft/ruleset.hpp"

namespace berth::net::nft {
namespace {

Network network(const char* id, const char* name, const char* subnet, const char* bridge,
                bool internal = false) {
  Network n;
  n.id = id;
  n.name = name;
  n.subnet = Subnet::parse(subnet).value();
  n.gateway = Ipv4{n.subnet.network.value + 1};
  n.bridge = bridge;
  n.internal = internal;
  return n;
}

Endpoint endpoint(const char* net, const char* ctr, const char* ip) {
  Endpoint e;
  e.network_id = net;
  e.container_id = ctr;
  e.ip = Ipv4::parse(ip).value();
  return e;
}

PortBinding port(const char* host_ip, uint16_t host, uint16_t ctr, Proto p = Proto::Tcp) {
  PortBinding b;
  b.host_ip = Ipv4::parse(host_ip).value();
  b.host_port = host;
  b.container_port = ctr;
  b.proto = p;
  return b;
}

TEST(NftGolden, FullRuleset) {
  std::vector<Network> nets{network("n1", "bridge", "172.17.0.0/16", "berth0"),
                            network("n2", "app", "172.18.0.0/16", "br-n2"),
                            network("n3", "secret", "172.19.0.0/16", "br-n3", true)};
  auto web = endpoint("n1", "0123456789abcdef", "172.17.0.2");
  web.ports = {port("0.0.0.0", 8080, 80), port("127.0.0.1", 5353, 53, Proto::Udp)};
  auto db = endpoint("n3", "fedcba9876543210", "172.19.0.2");
  db.ports = {port("0.0.0.0", 5432, 5432)};  // internal network: not published
  EXPECT_EQ(full_ruleset(nets, {web, db}),
            R"(add table inet berth
delete table inet berth
add table ip berth-nat
delete table ip berth-nat
table inet berth {
	set bridges {
		type ifname
		elements = { "berth0", "br-n2", "br-n3" }
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname "berth0" ct state established,related accept
		oifname "berth0" ct status dnat accept
		iifname "berth0" oifname "berth0" accept
		iifname "berth0" oifname @bridges drop
		iifname "berth0" accept
		oifname "berth0" drop
		oifname "br-n2" ct state established,related accept
		oifname "br-n2" ct status dnat accept
		iifname "br-n2" oifname "br-n2" accept
		iifname "br-n2" oifname @bridges drop
		iifname "br-n2" accept
		oifname "br-n2" drop
		iifname "br-n3" oifname "br-n3" accept
		iifname "br-n3" drop
		oifname "br-n3" drop
	}
}
table ip berth-nat {
	map hostports_tcp {
		type ipv4_addr . inet_service : ipv4_addr . inet_service
	}

	map ports_tcp {
		type inet_service : ipv4_addr . inet_service
		elements = { 8080 comment "0123456789ab" : 172.17.0.2 . 80 }
	}

	map hostports_udp {
		type ipv4_addr . inet_service : ipv4_addr . inet_service
		elements = { 127.0.0.1 . 5353 comment "0123456789ab" : 172.17.0.2 . 53 }
	}

	map ports_udp {
		type inet_service : ipv4_addr . inet_service
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump publish
	}

	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump publish
	}

	chain publish {
		meta l4proto tcp dnat ip to ip daddr . tcp dport map @hostports_tcp
		meta l4proto tcp dnat ip to tcp dport map @ports_tcp
		meta l4proto udp dnat ip to ip daddr . udp dport map @hostports_udp
		meta l4proto udp dnat ip to udp dport map @ports_udp
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 172.17.0.0/16 oifname != "berth0" masquerade
		oifname "berth0" ip saddr 127.0.0.0/8 masquerade
		oifname "berth0" ip saddr 172.17.0.0/16 ct status dnat masquerade
		ip saddr 172.18.0.0/16 oifname != "br-n2" masquerade
		oifname "br-n2" ip saddr 127.0.0.0/8 masquerade
		oifname "br-n2" ip saddr 172.18.0.0/16 ct status dnat masquerade
		oifname "br-n3" ip saddr 127.0.0.0/8 masquerade
		oifname "br-n3" ip saddr 172.19.0.0/16 ct status dnat masquerade
	}
}
)");
}

TEST(NftGolden, EmptyStateStillDefinesTheSkeleton) {
  auto text = full_ruleset({}, {});
  EXPECT_NE(text.find("set bridges {\n\t\ttype ifname\n\t}"), std::string::npos);
  EXPECT_EQ(text.find("elements"), std::string::npos);
}

TEST(NftGolden, PerContainerElementsOnly) {
  auto net = network("n1", "bridge", "172.17.0.0/16", "berth0");
  auto ep = endpoint("n1", "0123456789abcdef", "172.17.0.2");
  ep.ports = {port("0.0.0.0", 8080, 80), port("127.0.0.1", 8443, 443)};
  EXPECT_EQ(add_ports(net, ep),
            "add element ip berth-nat ports_tcp { 8080 comment \"0123456789ab\" : 172.17.0.2 . 80 }\n"
            "add element ip berth-nat hostports_tcp { 127.0.0.1 . 8443 comment \"0123456789ab\" : "
            "172.17.0.2 . 443 }\n");
  EXPECT_EQ(delete_ports(net, ep),
            "delete element ip berth-nat ports_tcp { 8080 }\n"
            "delete element ip berth-nat hostports_tcp { 127.0.0.1 . 8443 }\n");
  net.internal = true;
  EXPECT_EQ(add_ports(net, ep), "");
}

}  // namespace
}  // namespace berth::net::nft
