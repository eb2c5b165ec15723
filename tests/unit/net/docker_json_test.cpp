#include "net/docker_json.hpp"

#include <gtest/gtest.h>

namespace berth::net {
namespace {

Network app() {
  Network n;
  n.id = "a1b2";
  n.name = "app";
  n.subnet = Subnet::parse("172.18.0.0/16").value();
  n.gateway = Ipv4::parse("172.18.0.1").value();
  n.ip_range = Subnet::parse("172.18.5.0/24").value();
  n.created = "2026-11-27T09:00:00.000000000Z";
  n.bridge = "br-a1b2";
  n.labels = {{"tier", "back"}};
  return n;
}

Endpoint db() {
  Endpoint e;
  e.id = "e1";
  e.network_id = "a1b2";
  e.container_id = "c1";
  e.name = "db";
  e.aliases = {"database"};
  e.ip = Ipv4::parse("172.18.5.2").value();
  e.mac = Mac::from_ipv4(e.ip);
  return e;
}

TEST(DockerJson, NetworkInspectShape) {
  auto j = network_json(app(), {db()});
  EXPECT_EQ(boost::json::serialize(j),
            R"({"Name":"app","Id":"a1b2","Created":"2026-11-27T09:00:00.000000000Z",)"
            R"("Scope":"local","Driver":"bridge","EnableIPv6":false,"IPAM":{"Driver":"default",)"
            R"("Options":{},"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1",)"
            R"("IPRange":"172.18.5.0/24"}]},"Internal":false,"Attachable":false,"Ingress":false,)"
            R"("ConfigFrom":{"Network":""},"ConfigOnly":false,"Containers":{"c1":{"Name":"db",)"
            R"("EndpointID":"e1","MacAddress":"02:42:ac:12:05:02","IPv4Address":"172.18.5.2/16",)"
            R"("IPv6Address":""}},"Options":{},"Labels":{"tier":"back"}})");
  auto def = app();
  def.name = "bridge";
  def.bridge = "berth0";
  EXPECT_EQ(network_json(def, {}).at("Options").at("com.docker.network.bridge.name"), "berth0");
  // The predefined host network has no IPAM config, as dockerd's.
  Network host;
  host.name = "host";
  host.driver = "host";
  auto h = network_json(host, {});
  EXPECT_TRUE(h.at("IPAM").at("Config").as_array().empty());
  EXPECT_TRUE(h.at("Options").as_object().empty());
}

TEST(DockerJson, EndpointSettingsAndPorts) {
  auto s = endpoint_settings_json(app(), db(), true);
  EXPECT_EQ(s.at("IPAddress"), "172.18.5.2");
  EXPECT_EQ(s.at("IPPrefixLen"), 16);
  EXPECT_EQ(s.at("Gateway"), "172.18.0.1");
  EXPECT_EQ(s.at("IPAMConfig").at("IPv4Address"), "172.18.5.2");
  // The user's alias, then the short id as dockerd 20.10 lists it.
  EXPECT_EQ(boost::json::serialize(s.at("Aliases")), R"(["database","c1"])");
  auto def = app();
  def.name = "bridge";
  EXPECT_TRUE(endpoint_settings_json(def, db(), false).at("Aliases").is_null());
  PortBinding b;
  b.host_port = 8080;
  b.container_port = 80;
  auto p = ports_json({b}, {"80/tcp", "443"});
  EXPECT_EQ(boost::json::serialize(p),
            R"({"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}],"443/tcp":null})");
}

}  // namespace
}  // namespace berth::net
