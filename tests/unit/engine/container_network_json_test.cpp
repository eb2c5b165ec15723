#include "engine/container_network_json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/temp_dir.hpp"

namespace berth::engine {
namespace {

Container with(std::string host_config, std::string config = "{}") {
  Container c;
  c.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  c.name = "web";
  c.host_config = std::move(host_config);
  c.config = std::move(config);
  return c;
}

TEST(ContainerNetworkJson, PortBindingsAsTheCliSendsThem) {
  auto c = with(R"({"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}],
                    "53/udp":[{"HostIp":"127.0.0.1","HostPort":"5353"}],
                    "90/tcp":[{"HostIp":"","HostPort":""}],
                    "91/tcp":[{"HostIp":"","HostPort":"9000-9010"}],
                    "92/tcp":[{"HostIp":"::","HostPort":"9200"}]}})");
  auto ports = port_requests(c);
  ASSERT_TRUE(ports) << ports.error().to_string();
  ASSERT_EQ(ports->size(), 4u);  // the IPv6 binding is not served
  // Boost.JSON keeps the member order of the document.
  EXPECT_EQ((*ports)[0].container_port_first, 80);
  EXPECT_EQ((*ports)[0].host_port_first, 8080);
  EXPECT_FALSE((*ports)[0].host_ip);
  EXPECT_EQ((*ports)[1].proto, net::Proto::Udp);
  EXPECT_EQ((*ports)[1].host_ip->str(), "127.0.0.1");
  EXPECT_EQ((*ports)[2].host_port_first, 0);  // ephemeral
  EXPECT_EQ((*ports)[3].host_port_first, 9000);
  EXPECT_EQ((*ports)[3].host_port_last, 9010);
}

TEST(ContainerNetworkJson, PublishAllTakesExposedPortsNotBoundExplicitly) {
  auto c = with(R"({"PublishAllPorts":true,"PortBindings":{"80/tcp":[{"HostPort":"8080"}]}})",
                R"({"ExposedPorts":{"80/tcp":{},"443/tcp":{},"53/udp":{}}})");
  auto ports = port_requests(c);
  ASSERT_TRUE(ports);
  ASSERT_EQ(ports->size(), 3u);
  EXPECT_EQ((*ports)[0].host_port_first, 8080);
  for (size_t i = 1; i < 3; ++i) EXPECT_EQ((*ports)[i].host_port_first, 0);
  EXPECT_EQ(exposed_ports(c), (std::vector<std::string>{"80/tcp", "443/tcp", "53/udp"}));
  EXPECT_FALSE(port_requests(with(R"({"PortBindings":{"x/tcp":[{"HostPort":"1"}]}})")));
}

TEST(ContainerNetworkJson, ModesAndEndpointsConfig) {
  auto bridge = network_config_from_create(with(R"({"NetworkMode":"default"})"), "{}");
  ASSERT_TRUE(bridge);
  EXPECT_EQ(bridge->mode.kind, net::NetworkMode::Kind::Bridge);
  ASSERT_EQ(bridge->networks.size(), 1u);
  EXPECT_EQ(bridge->networks[0].network, "bridge");

  auto app = network_config_from_create(
      with(R"({"NetworkMode":"app"})", R"({"MacAddress":"02:42:0a:00:00:09"})"),
      R"({"NetworkingConfig":{"EndpointsConfig":{
           "app":{"Aliases":["db"],"IPAMConfig":{"IPv4Address":"10.0.0.9"}},
           "side":{"Aliases":["x"]}}}})");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->mode.kind, net::NetworkMode::Kind::Network);
  ASSERT_EQ(app->networks.size(), 2u);
  EXPECT_EQ(app->networks[0].network, "app");  // the mode's network is eth0
  EXPECT_EQ(app->networks[0].aliases, std::vector<std::string>{"db"});
  EXPECT_EQ(app->networks[0].ipv4, "10.0.0.9");
  EXPECT_EQ(app->networks[0].mac, "02:42:0a:00:00:09");
  EXPECT_EQ(app->networks[1].network, "side");

  for (const char* mode : {"none", "host", "container:abc"}) {
    auto cfg = network_config_from_create(with(std::string(R"({"NetworkMode":")") + mode + "\"}"), "{}");
    ASSERT_TRUE(cfg);
    EXPECT_TRUE(cfg->networks.empty()) << mode;
    EXPECT_EQ(cfg->mode.str(), mode);
  }
  EXPECT_FALSE(network_config_from_create(
      with(R"({"NetworkMode":"app"})"),
      R"({"NetworkingConfig":{"EndpointsConfig":{"app":{"IPAMConfig":{"IPv4Address":"10.0.0.300"}}}}})"));
}

TEST(ContainerNetworkJson, SavedConfigRoundTrips) {
  berth::test::TempDir dir("berth-netjson");
  ASSERT_FALSE(dir.path().empty());
  auto c = with(R"({"NetworkMode":"app"})");
  c.dir = dir.path();
  // Without networks.json the HostConfig alone decides.
  auto derived = load_network_config(c);
  ASSERT_TRUE(derived);
  ASSERT_EQ(derived->networks.size(), 1u);
  EXPECT_EQ(derived->networks[0].network, "app");
  ContainerNetworkConfig cfg;
  cfg.mode = *net::NetworkMode::parse("app");
  cfg.networks = {{"app", {"db", "database"}, "10.1.0.5", ""}, {"other", {}, "", "02:42:00:00:00:01"}};
  ASSERT_TRUE(save_network_config(c, cfg));
  auto loaded = load_network_config(c);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->mode.str(), "app");
  ASSERT_EQ(loaded->networks.size(), 2u);
  EXPECT_EQ(loaded->networks[0].aliases, (std::vector<std::string>{"db", "database"}));
  EXPECT_EQ(loaded->networks[0].ipv4, "10.1.0.5");
  EXPECT_EQ(loaded->networks[1].network, "other");
  EXPECT_EQ(loaded->networks[1].mac, "02:42:00:00:00:01");
}

}  // namespace
}  // namespace berth::engine
