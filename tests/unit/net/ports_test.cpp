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

#include "net/mode.hpp"

namespace berth::net {
namespace {

TEST(PlanNetns, EachModeSaysWhatTheEngineMustDo) {
  auto lookup = [](const std::string& c) -> Result<std::string> {
    if (c == "web") return std::string("/proc/42/ns/net");
    return make_error(ErrorCategory::NotFound, "no such container: " + c);
  };
  auto p = plan_netns(NetworkMode::parse("bridge").value(), lookup).value();
  EXPECT_EQ(p.kind, NetnsPlan::Kind::New);
  EXPECT_EQ(p.network, "bridge");
  p = plan_netns(NetworkMode::parse("app").value(), lookup).value();
  EXPECT_EQ(p.network, "app");
  p = plan_netns(NetworkMode::parse("none").value(), lookup).value();
  EXPECT_EQ(p.kind, NetnsPlan::Kind::New);
  EXPECT_FALSE(p.network);
  EXPECT_EQ(plan_netns(NetworkMode::parse("host").value(), lookup)->kind, NetnsPlan::Kind::Host);
  p = plan_netns(NetworkMode::parse("container:web").value(), lookup).value();
  EXPECT_EQ(p.kind, NetnsPlan::Kind::Join);
  EXPECT_EQ(p.join_path, "/proc/42/ns/net");
  auto missing = plan_netns(NetworkMode::parse("container:db").value(), lookup);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category(), ErrorCategory::NotFound);
}

}  // namespace
}  // namespace berth::net
