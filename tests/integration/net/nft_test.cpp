// The generated nftables scripts against a real kernel, in a test netns.
#include <gtest/gtest.h>

#include "net/netns.hpp"
#include "net/nft/nft.hpp"
#include "net/nft/ruleset.hpp"
#include "netns_fixture.hpp"
#include "support/root.hpp"

namespace berth::net {
namespace {

using testing::sh_in;
using testing::TestNetns;

Network network(const char* id, const char* subnet, const char* bridge, bool internal = false) {
  Network n;
  n.id = id;
  n.name = id;
  n.subnet = Subnet::parse(subnet).value();
  n.gateway = Ipv4{n.subnet.network.value + 1};
  n.bridge = bridge;
  n.internal = internal;
  return n;
}

Result<> apply_script(const TestNetns& ns, const std::string& script) {
  return run_in_netns(ns.fd(), [&]() -> Result<> {
    auto nft = TRY(nft::Nft::create());
    return nft.run(script);
  });
}

TEST(Nft, AppliesAtomicallyAndTouchesOnlyItsTables) {
  BERTH_REQUIRE_ROOT();
  TestNetns host("nft");
  ASSERT_TRUE(host.ok());
  // Someone else's table must survive everything berth does.
  int rc = -1;
  sh_in(host, "nft add table ip other && nft add chain ip other c", &rc);
  ASSERT_EQ(rc, 0);

  std::vector<Network> nets{network("n1", "172.17.0.0/16", "berth0"),
                            network("n2", "172.18.0.0/16", "br-n2", true)};
  Endpoint ep;
  ep.network_id = "n1";
  ep.container_id = "0123456789abcdef";
  ep.ip = Ipv4::parse("172.17.0.2").value();
  PortBinding b;
  b.host_port = 8080;
  b.container_port = 80;
  ep.ports = {b};
  auto r = apply_script(host, nft::full_ruleset(nets, {ep}));
  ASSERT_TRUE(r) << r.error().to_string();
  auto listing = sh_in(host, "nft list ruleset");
  EXPECT_NE(listing.find("8080 comment \"0123456789ab\" : 172.17.0.2 . 80"), std::string::npos)
      << listing;
  EXPECT_NE(listing.find("table ip other"), std::string::npos);

  // Reapplying replaces, never duplicates.
  ASSERT_TRUE(apply_script(host, nft::full_ruleset(nets, {ep})));
  EXPECT_EQ(sh_in(host, "nft list ruleset | grep -c \"fib daddr type local jump publish\""), "2\n");

  // One container's elements come and go without touching the rest.
  Endpoint other = ep;
  other.container_id = "aaaaaaaaaaaaaaaa";
  other.ip = Ipv4::parse("172.17.0.3").value();
  other.ports[0].host_port = 9090;
  ASSERT_TRUE(apply_script(host, nft::add_ports(nets[0], other)));
  ASSERT_TRUE(apply_script(host, nft::delete_ports(nets[0], ep)));
  listing = sh_in(host, "nft list map ip berth-nat ports_tcp");
  EXPECT_EQ(listing.find("8080"), std::string::npos) << listing;
  EXPECT_NE(listing.find("9090 comment \"aaaaaaaaaaaa\""), std::string::npos) << listing;

  // A failing script changes nothing (deleting a missing element aborts
  // the whole transaction, including the add before it).
  auto bad = apply_script(host, nft::add_ports(nets[0], ep) + nft::delete_ports(nets[0], ep) +
                             nft::delete_ports(nets[0], ep));
  ASSERT_FALSE(bad);
  EXPECT_EQ(sh_in(host, "nft list map ip berth-nat ports_tcp").find("8080"), std::string::npos);

  ASSERT_TRUE(apply_script(host, nft::delete_all()));
  listing = sh_in(host, "nft list tables");
  EXPECT_EQ(listing, "table ip other\n");
}

}  // namespace
}  // namespace berth::net
