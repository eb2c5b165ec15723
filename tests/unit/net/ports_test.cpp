#include "net/ports.hpp"

#include <gtest/gtest.h>

namespace berth::net {
namespace {

TEST(ParsePublish, DockerGrammar) {
  auto r = parse_publish("8080:80");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->host_ip);
  EXPECT_EQ(r->host_port_first, 8080);
  EXPECT_EQ(r->container_port_first, 80);
  EXPECT_EQ(r->proto, Proto::Tcp);

  r = parse_publish("127.0.0.1:5353:53/udp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->host_ip->str(), "127.0.0.1");
  EXPECT_EQ(r->proto, Proto::Udp);

  r = parse_publish("127.0.0.1::80");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->host_port_first, 0);

  r = parse_publish("80");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->host_port_first, 0);
  EXPECT_EQ(r->container_port_first, 80);

  r = parse_publish("8000-8002:80-82/tcp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->host_port_last, 8002);
  EXPECT_EQ(r->container_port_last, 82);

  r = parse_publish("8000-8010:80");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->container_port_last, 80);
}

TEST(ParsePublish, RejectsBadSpecs) {
  for (const char* bad : {"", "0", "70000:80", "80:0", "8000-8001:80-82", "a:80", "1.2.3:80:80",
                          "80/sctp", "[::1]:80:80", "1:2:3:4", "90-80:80"})
    EXPECT_FALSE(parse_publish(bad)) << bad;
}

TEST(DockerShapes, PortsMapAndSummary) {
  std::vector<PortBinding> b(2);
  b[0].host_port = 8080;
  b[0].container_port = 80;
  b[1].host_ip = Ipv4::parse("127.0.0.1").value();
  b[1].host_port = 5353;
  b[1].container_port = 53;
  b[1].proto = Proto::Udp;
  auto m = docker_ports(b);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m["80/tcp"][0].host_ip, "0.0.0.0");
  EXPECT_EQ(m["80/tcp"][0].host_port, "8080");
  EXPECT_EQ(ports_summary(b), "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp");
  auto all = publish_all({"80/tcp", "53/udp"});
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[1].proto, Proto::Udp);
  EXPECT_EQ((*all)[1].host_port_first, 0);
}

TEST(NetworkModeParse, AllModes) {
  EXPECT_EQ(NetworkMode::parse("").value().kind, NetworkMode::Kind::Bridge);
  EXPECT_EQ(NetworkMode::parse("default").value().kind, NetworkMode::Kind::Bridge);
  EXPECT_EQ(NetworkMode::parse("none").value().kind, NetworkMode::Kind::None);
  EXPECT_EQ(NetworkMode::parse("host").value().kind, NetworkMode::Kind::Host);
  auto c = NetworkMode::parse("container:web");
  EXPECT_EQ(c->kind, NetworkMode::Kind::Container);
  EXPECT_EQ(c->target, "web");
  EXPECT_FALSE(NetworkMode::parse("container:"));
  EXPECT_EQ(NetworkMode::parse("app").value().str(), "app");
  EXPECT_TRUE(NetworkMode::parse("app").value().creates_interfaces());
  EXPECT_FALSE(NetworkMode::parse("host").value().creates_interfaces());
}

}  // namespace
}  // namespace berth::net
