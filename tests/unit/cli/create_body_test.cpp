#include "cli/create_body.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace berth::cli {
namespace {

Result<boost::json::value> body_for(const std::vector<std::string>& argv) {
  auto args = parse_args(create_flags(), argv, {true});
  if (!args) return Unexpected(args.error());
  return build_create_body(*args);
}

TEST(CreateBody, GoDurations) {
  EXPECT_EQ(*parse_go_duration("1m30s"), 90'000'000'000);
  EXPECT_EQ(*parse_go_duration("500ms"), 500'000'000);
  EXPECT_EQ(*parse_go_duration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(*parse_go_duration("0"), 0);
  EXPECT_EQ(parse_go_duration("5x").error().message(), "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(parse_go_duration("5").error().message(), "time: missing unit in duration \"5\"");
}

TEST(CreateBody, MountsInDockerShape) {
  auto b = body_for({"--mount", "type=bind,src=/a,dst=/b,ro,bind-propagation=rslave",
                     "--mount", "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777",
                     "--mount", "source=v,target=/v,volume-nocopy,volume-label=a=b", "img"});
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(boost::json::serialize(b->at("HostConfig").at("Mounts")),
            R"([{"Type":"bind","Source":"/a","Target":"/b","ReadOnly":true,"BindOptions":{"Propagation":"rslave"}},)"
            R"({"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1023}},)"
            R"({"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"NoCopy":true,"Labels":{"a":"b"},"DriverConfig":{}}}])");
}

TEST(CreateBody, MountErrorsUseDockerWording) {
  EXPECT_EQ(body_for({"--mount", "type=bind,dst=/x,foo=1", "img"}).error().message(),
            "invalid argument \"type=bind,dst=/x,foo=1\" for \"--mount\" flag: unexpected key 'foo' in 'foo=1'");
  EXPECT_EQ(body_for({"--mount", "type=bind,src=/tmp", "img"}).error().message(),
            "invalid argument \"type=bind,src=/tmp\" for \"--mount\" flag: target is required");
}

TEST(CreateBody, UlimitsAndHealthcheck) {
  auto b = body_for({"--ulimit", "nofile=100:200", "--ulimit", "nproc=50", "--health-cmd", "true",
                     "--health-interval", "1m30s", "--health-retries", "3", "img"});
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(boost::json::serialize(b->at("HostConfig").at("Ulimits")),
            R"([{"Name":"nofile","Hard":200,"Soft":100},{"Name":"nproc","Hard":50,"Soft":50}])");
  EXPECT_EQ(boost::json::serialize(b->at("Healthcheck")),
            R"({"Test":["CMD-SHELL","true"],"Interval":90000000000,"Retries":3})");
  auto none = body_for({"--no-healthcheck", "img"});
  ASSERT_TRUE(none);
  EXPECT_EQ(boost::json::serialize(none->at("Healthcheck")), R"({"Test":["NONE"]})");
  EXPECT_FALSE(body_for({"--no-healthcheck", "--health-cmd", "x", "img"}));
  EXPECT_EQ(body_for({"--ulimit", "nofile", "img"}).error().message(),
            "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile");
}

TEST(CreateBody, RestartPolicyAndSizes) {
  EXPECT_EQ(boost::json::serialize(*restart_policy("on-failure:3")), R"({"Name":"on-failure","MaximumRetryCount":3})");
  EXPECT_EQ(boost::json::serialize(*restart_policy("no")), R"({"Name":"","MaximumRetryCount":0})");
  EXPECT_EQ(*parse_bytes("64m"), 64 << 20);
  EXPECT_EQ(*parse_bytes("1g"), 1 << 30);
  EXPECT_FALSE(parse_bytes("xx"));
}

}  // namespace
}  // namespace berth::cli
