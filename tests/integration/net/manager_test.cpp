// The network manager end to end, as the engine will drive it: containers
// are namespaces the test creates, the host is a namespace too.
#include "net/manager.hpp"

#include <gtest/gtest.h>

#include "net/ports.hpp"
#include "support/root.hpp"
#include "world.hpp"

namespace berth::net {
namespace {

using testing::fetch;
using testing::pings;
using testing::sh_in;
using testing::TestNetns;
using testing::World;

AttachRequest attach(const std::string& id, const std::string& name, const TestNetns& ns) {
  AttachRequest r;
  r.container_id = id;
  r.name = name;
  r.netns_path = ns.path();
  return r;
}

TEST(Manager, PublishedPortFromLoopbackPeerAndHairpinWithOutboundNat) {
  BERTH_REQUIRE_ROOT();
  World w;
  ASSERT_TRUE(w.ok());
  w.build();
  auto m = Manager::open(w.options());
  ASSERT_TRUE(m) << m.error().to_string();
  auto def = (*m)->inspect("bridge");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->subnet.str(), "172.17.0.0/16");
  EXPECT_EQ(def->bridge, "berth0");

  TestNetns c1("c1");
  auto req = attach("c1c1c1c1c1c1c1c1", "web", c1);
  req.ports = {parse_publish("8080:80").value(), parse_publish("127.0.0.1::81").value()};
  SetupTimings t;
  auto ep = (*m)->connect("bridge", req, &t);
  ASSERT_TRUE(ep) << ep.error().to_string();
  EXPECT_EQ(ep->ip.str(), "172.17.0.2");
  EXPECT_EQ(ep->mac.str(), "02:42:ac:11:00:02");
  EXPECT_EQ(ep->ifname, "eth0");
  ASSERT_EQ(ep->ports.size(), 2u);
  EXPECT_GE(ep->ports[1].host_port, 1024);  // ephemeral
  EXPECT_EQ(ports_summary({ep->ports[0]}), "0.0.0.0:8080->80/tcp");
  EXPECT_GT(t.total_us, 0);
  w.start(c1, "busybox httpd -f -p 80 -h " + w.web_root("c1"));
  w.start(c1, "busybox httpd -f -p 81 -h " + w.web_root("c1-81"));

  // Host loopback, via the output-chain DNAT and route_localnet.
  EXPECT_EQ(fetch(w.host, "http://127.0.0.1:8080/"), "hello from c1\n");
  EXPECT_EQ(fetch(w.host, "http://127.0.0.1:" + std::to_string(ep->ports[1].host_port) + "/"),
            "hello from c1-81\n");
  // Another machine (the internet namespace) through the host's address.
  EXPECT_EQ(fetch(w.internet, "http://198.51.100.1:8080/"), "hello from c1\n");
  // A port bound to 127.0.0.1 only is not reachable from outside.
  EXPECT_EQ(
      fetch(w.internet, "http://198.51.100.1:" + std::to_string(ep->ports[1].host_port) + "/"), "");
  // Hairpin: the container reaches its own published port via the host.
  EXPECT_EQ(fetch(c1, "http://198.51.100.1:8080/"), "hello from c1\n");
  // Outbound NAT: the internet sees the host's uplink address.
  EXPECT_EQ(fetch(c1, "http://198.51.100.2:9000/cgi-bin/ip"), "[::ffff:198.51.100.1]\n");

  // A second container asking for the same host port is refused.
  TestNetns c2("c2");
  auto req2 = attach("c2c2c2c2c2c2c2c2", "other", c2);
  req2.ports = {parse_publish("8080:80").value()};
  auto clash = (*m)->connect("bridge", req2);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().message(), "Bind for 0.0.0.0:8080 failed: port is already allocated");
  EXPECT_EQ(sh_in(w.host, "ip -o link show | grep -c vb"), "1\n");  // rolled back

  // A host process holding a port makes it unavailable too.
  auto& holder = w.start(w.host, "busybox nc -l -p 7777");
  (void)holder;
  req2.ports = {parse_publish("7777:80").value()};
  auto held = (*m)->connect("bridge", req2);
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().category(), ErrorCategory::Conflict);

  ASSERT_TRUE((*m)->release_container("c1c1c1c1c1c1c1c1"));
  EXPECT_EQ(fetch(w.host, "http://127.0.0.1:8080/"), "");
  EXPECT_EQ(sh_in(w.host, "nft list map ip berth-nat ports_tcp | grep -c comment"), "0\n");
  EXPECT_EQ(sh_in(w.host, "ip -o link show | grep -c vb"), "0\n");
}

TEST(Manager, UserNetworksDnsIsolationInternalAndLiveConnect) {
  BERTH_REQUIRE_ROOT();
  World w;
  ASSERT_TRUE(w.ok());
  w.build();
  auto m = Manager::open(w.options()).value();

  NetworkRequest app;
  app.name = "app";
  app.labels = {{"tier", "back"}};
  auto net = m->create_network(app);
  ASSERT_TRUE(net) << net.error().to_string();
  EXPECT_EQ(net->subnet.str(), "172.18.0.0/16");
  EXPECT_EQ(m->create_network(app).error().message(), "network with name app already exists");
  // The bridge has a MAC of its own, so it does not change as ports join
  // (which used to stall containers' traffic to the gateway).
  EXPECT_NE(
      sh_in(w.host, "ip -o link show " + net->bridge).find(Mac::from_ipv4(net->gateway).str()),
      std::string::npos);
  NetworkRequest other;
  other.name = "other";
  other.subnet = Subnet::parse("10.123.0.0/24").value();
  other.ip_range = Subnet::parse("10.123.0.128/25").value();
  ASSERT_TRUE(m->create_network(other));
  NetworkRequest secret;
  secret.name = "secret";
  secret.internal = true;
  ASSERT_TRUE(m->create_network(secret));

  TestNetns db("db"), web("web"), stranger("stranger"), vault("vault"), vault2("vault2");
  auto dbr = attach("dbdbdbdbdbdbdbdb0000", "db", db);
  dbr.aliases = {"database"};
  auto dbe = m->connect("app", dbr).value();
  auto webe = m->connect("app", attach("webwebwebweb0000", "web", web)).value();
  auto se = m->connect("other", attach("strangerstranger", "stranger", stranger)).value();
  EXPECT_EQ(se.ip.str(), "10.123.0.128");  // from the ip-range
  auto ve = m->connect("secret", attach("vaultvaultvault0", "vault", vault)).value();
  auto v2r = attach("vault2vault2vau0", "vault2", vault2);
  v2r.ip = Ipv4::parse("172.19.0.77").value();
  auto v2e = m->connect("secret", v2r).value();
  EXPECT_EQ(v2e.ip.str(), "172.19.0.77");

  // DNS by name, alias and short id, from the other container.
  auto gw = net->gateway.str();
  auto ask = [&](const TestNetns& ns, const std::string& name, const std::string& server) {
    return sh_in(ns, "busybox nslookup " + name + " " + server);
  };
  EXPECT_NE(ask(web, "db", gw).find("Address: " + dbe.ip.str()), std::string::npos)
      << ask(web, "db", gw);
  EXPECT_NE(ask(web, "database", gw).find(dbe.ip.str()), std::string::npos);
  EXPECT_NE(ask(db, "webwebwebweb", gw).find(webe.ip.str()), std::string::npos);
  // Names it does not know are forwarded to the host's resolvers (the
  // 127.0.0.53 stub is skipped, the internet's server answers).
  EXPECT_NE(ask(web, "example.test", gw).find("198.51.100.2"), std::string::npos)
      << ask(web, "example.test", gw);
  // The container's resolv.conf points at the embedded server.
  HostsSpec hs;
  hs.hostname = "webwebwebwe";
  auto files = m->container_files("webwebwebweb0000", hs, {}, false).value();
  EXPECT_EQ(files.resolv_conf, "nameserver " + gw + "\nsearch corp.test\n");
  EXPECT_NE(files.hosts.find(webe.ip.str() + "\twebwebwebwe web"), std::string::npos);

  // Isolation: another network neither reaches nor resolves app's names.
  EXPECT_TRUE(pings(web, dbe.ip.str()));
  EXPECT_FALSE(pings(stranger, dbe.ip.str()));
  EXPECT_FALSE(pings(db, se.ip.str()));
  EXPECT_EQ(ask(stranger, "db", gw).find(dbe.ip.str()), std::string::npos);
  // Internal: neighbours yes, the internet no, and no default route.
  EXPECT_TRUE(pings(vault, v2e.ip.str()));
  EXPECT_EQ(fetch(vault, "http://198.51.100.2:9000/"), "");
  EXPECT_EQ(sh_in(vault, "ip route | grep -c default"), "0\n");
  EXPECT_EQ(fetch(web, "http://198.51.100.2:9000/"), "hello from the internet\n");

  // Live connect of a running container to a second network, then back.
  w.start(stranger, "busybox httpd -f -p 80 -h " + w.web_root("stranger"));
  auto extra = m->connect("app", attach("strangerstranger", "stranger", stranger));
  ASSERT_TRUE(extra) << extra.error().to_string();
  EXPECT_EQ(extra->ifname, "eth1");
  EXPECT_EQ(fetch(web, "http://" + extra->ip.str() + "/"), "hello from stranger\n");
  auto answer = ask(web, "stranger", gw);
  EXPECT_NE(answer.find(extra->ip.str()), std::string::npos) << answer;
  ASSERT_TRUE(m->disconnect("app", "strangerstranger"));
  EXPECT_EQ(sh_in(stranger, "ip -o link show | grep -c eth1"), "0\n");
  EXPECT_EQ(fetch(web, "http://" + extra->ip.str() + "/"), "");
  EXPECT_EQ(ask(web, "stranger", gw).find(extra->ip.str()), std::string::npos);
  EXPECT_EQ(m->disconnect("app", "strangerstranger").error().category(), ErrorCategory::NotFound);

  // Removal: refused while in use, then no leftovers at all.
  EXPECT_EQ(m->remove_network("app").error().category(), ErrorCategory::Conflict);
  EXPECT_EQ(m->remove_network("bridge").error().category(), ErrorCategory::PermissionDenied);
  for (const char* c : {"dbdbdbdbdbdbdbdb0000", "webwebwebweb0000", "strangerstranger",
                        "vaultvaultvault0", "vault2vault2vau0"})
    ASSERT_TRUE(m->release_container(c));
  auto pruned = m->prune().value();
  EXPECT_EQ(pruned.size(), 3u);
  EXPECT_EQ(m->networks().value().size(), 1u);
  EXPECT_EQ(sh_in(w.host, "ip -o link show | grep -cE \"vb|br-\""), "0\n");
  EXPECT_EQ(sh_in(w.host, "nft list ruleset | grep -c br-"), "0\n");
  EXPECT_EQ(m->endpoints().value().size(), 0u);
}

TEST(Manager, CrashThenReconcileRemovesExactlyTheDead) {
  BERTH_REQUIRE_ROOT();
  World w;
  ASSERT_TRUE(w.ok());
  w.build();
  TestNetns alive("alive"), dead("dead");
  Endpoint alive_ep;
  {
    auto m = Manager::open(w.options()).value();
    auto r = attach("alivealiveali000", "alive", alive);
    r.ports = {parse_publish("8080:80").value()};
    alive_ep = m->connect("bridge", r).value();
    auto d = attach("deaddeaddeaddead", "dead", dead);
    d.ports = {parse_publish("9090:80").value()};
    ASSERT_TRUE(m->connect("bridge", d));
    // kill -9: the manager object goes away without releasing anything.
  }
  // Debris a crash mid-operation could leave: a veth nobody recorded and
  // a rule for a port nobody owns.
  sh_in(w.host, "ip link add vbdeadbeef type veth peer name strayp");
  sh_in(w.host, "nft add element ip berth-nat ports_tcp { 7070 : 172.17.0.99 . 80 }");

  auto m = Manager::open(w.options());
  ASSERT_TRUE(m) << m.error().to_string();
  // Opening already rewrote the ruleset from the store.
  EXPECT_EQ(sh_in(w.host, "nft list map ip berth-nat ports_tcp | grep -c 7070"), "0\n");
  auto report = (*m)->reconcile({"alivealiveali000"});
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_EQ(report->removed_endpoints.size(), 1u);
  EXPECT_EQ(report->removed_links, std::vector<std::string>{"vbdeadbeef"});
  EXPECT_TRUE(report->broken_endpoints.empty());
  auto listing = sh_in(w.host, "nft list map ip berth-nat ports_tcp");
  EXPECT_NE(listing.find("8080"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("9090"), std::string::npos) << listing;
  EXPECT_EQ(sh_in(w.host, "ip -o link show | grep -c vb"), "1\n");
  // The live container still works, and its address was not handed out.
  w.start(alive, "busybox httpd -f -p 80 -h " + w.web_root("alive"));
  EXPECT_EQ(fetch(w.host, "http://127.0.0.1:8080/"), "hello from alive\n");
  TestNetns fresh("fresh");
  auto fe = (*m)->connect("bridge", attach("freshfreshfresh0", "fresh", fresh));
  ASSERT_TRUE(fe);
  EXPECT_NE(fe->ip, alive_ep.ip);
  ASSERT_TRUE((*m)->release_container("freshfreshfresh0"));
  // A live container that lost its veth is reported, not silently kept.
  sh_in(w.host, "ip link del " + alive_ep.host_veth);
  auto again = (*m)->reconcile({"alivealiveali000"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->broken_endpoints.size(), 1u);
  ASSERT_TRUE((*m)->release_container("alivealiveali000"));
}

}  // namespace
}  // namespace berth::net
