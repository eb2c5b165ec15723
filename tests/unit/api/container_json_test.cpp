#include "api/container_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace berth::api {
namespace {

TEST(ContainerJson, HumanDurationsLikeDockerUnits) {
  EXPECT_EQ(human_duration(0), "Less than a second");
  EXPECT_EQ(human_duration(1), "1 second");
  EXPECT_EQ(human_duration(59), "59 seconds");
  EXPECT_EQ(human_duration(61), "About a minute");
  EXPECT_EQ(human_duration(600), "10 minutes");
  EXPECT_EQ(human_duration(3700), "About an hour");
  EXPECT_EQ(human_duration(5 * 3600), "5 hours");
  EXPECT_EQ(human_duration(3 * 86400), "3 days");
}

TEST(ContainerJson, Rfc3339) {
  EXPECT_EQ(rfc3339_nanos("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(rfc3339_nanos("0001-01-01T00:00:00Z"), 0);
  EXPECT_EQ(rfc3339_nanos("2026-11-27T10:00:00.000000001Z") % 1000000000, 1);
}

TEST(ContainerJson, StatusAndShapes) {
  engine::Container c;
  c.id = "abc";
  c.name = "web";
  c.path = "sh";
  c.args = {"-c", "true"};
  c.config = R"({"Tty":false})";
  c.host_config = R"({"NetworkMode":"host"})";
  c.state.status = "exited";
  c.state.exit_code = 3;
  c.state.finished_at = "1970-01-01T00:00:10Z";
  EXPECT_EQ(container_status_text(c, 130), "Exited (3) 2 minutes ago");
  c.state.status = "created";
  EXPECT_EQ(container_status_text(c, 130), "Created");
  auto summary = container_summary_json(c).as_object();
  EXPECT_EQ(summary["Names"].as_array()[0].as_string(), "/web");
  EXPECT_EQ(summary["Command"].as_string(), "sh -c true");
  EXPECT_EQ(summary["HostConfig"].as_object()["NetworkMode"].as_string(), "host");
  auto inspect = container_inspect_json(c, "overlayfs").as_object();
  EXPECT_EQ(inspect["Name"].as_string(), "/web");
  EXPECT_EQ(inspect["State"].as_object()["ExitCode"].as_int64(), 3);
  EXPECT_FALSE(inspect["Config"].as_object()["Tty"].as_bool());
  EXPECT_EQ(inspect["GraphDriver"].as_object()["Name"].as_string(), "overlayfs");
}

TEST(ContainerJson, ConfigInDockerdsShape) {
  engine::Container c;
  c.id = "abc";
  // What a create body may carry: empty maps, unknown keys, any order.
  c.config = R"({"Labels":{"z":"1","a":"2"},"Image":"busybox","Volumes":{},"ExposedPorts":{},"Foo":1,
      "Shell":[],"StopSignal":"","StopTimeout":0,"OnBuild":[],"Healthcheck":{"Retries":0,"Test":["NONE"]}})";
  auto config = container_inspect_json(c, "overlayfs").as_object()["Config"];
  EXPECT_EQ(boost::json::serialize(config),
            R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,)"
            R"("AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,)"
            R"("Healthcheck":{"Test":["NONE"]},"Image":"busybox","Volumes":null,"WorkingDir":"",)"
            R"("Entrypoint":null,"OnBuild":[],"Labels":{"a":"2","z":"1"},"StopTimeout":0})");
  c.config = R"({"Volumes":{"/b":{},"/a":{}},"ExposedPorts":{"90/tcp":{},"80/tcp":{}},"Healthcheck":{}})";
  config = container_inspect_json(c, "overlayfs").as_object()["Config"];
  EXPECT_EQ(boost::json::serialize(config.as_object()["Volumes"]), R"({"/a":{},"/b":{}})");
  EXPECT_EQ(boost::json::serialize(config.as_object()["ExposedPorts"]), R"({"80/tcp":{},"90/tcp":{}})");
  EXPECT_EQ(boost::json::serialize(config.as_object()["Healthcheck"]), "{}");
}

}  // namespace
}  // namespace berth::api
