#include "engine/container_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <csignal>

#include "engine/container.hpp"
#include "engine/container_store.hpp"

namespace berth::engine {
namespace {

oci::ImageConfig image_config() {
  oci::ImageConfig ic;
  ic.config.env = {"PATH=/usr/bin:/bin", "LANG=C"};
  ic.config.cmd = std::vector<std::string>{"sh"};
  ic.config.working_dir = "/srv";
  ic.config.labels = {{"from", "image"}};
  return ic;
}

Container fresh() {
  Container c;
  c.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  c.image = "busybox";
  return c;
}

boost::json::object config_of(const Container& c) { return boost::json::parse(c.config).as_object(); }

TEST(ContainerNames, DockerRules) {
  EXPECT_EQ(*validate_container_name("/web"), "web");
  EXPECT_EQ(*validate_container_name("a.b-c_d"), "a.b-c_d");
  EXPECT_FALSE(validate_container_name("-bad"));
  EXPECT_FALSE(validate_container_name("x"));  // dockerd wants two characters at least
  EXPECT_FALSE(validate_container_name("a/b"));
  EXPECT_EQ(validate_container_name("a b").error().category(), ErrorCategory::InvalidArgument);
  EXPECT_NE(generate_container_name(1), generate_container_name(2));
  EXPECT_TRUE(validate_container_name(generate_container_name(12345)));
}

TEST(ContainerSignals, NamesAndNumbers) {
  EXPECT_EQ(*parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("SIGKILL"), SIGKILL);
  EXPECT_EQ(*parse_signal("winch"), SIGWINCH);
  EXPECT_EQ(*parse_signal("9"), 9);
  EXPECT_EQ(*parse_signal(""), SIGKILL);
  EXPECT_FALSE(parse_signal("NOPE"));
  EXPECT_FALSE(parse_signal("0"));
  EXPECT_EQ(parse_signal("bogus").error().to_string(), "Invalid signal: bogus");
}

TEST(ContainerSignals, DockersAliasesAndRealtimeNames) {
  for (const char* s : {"IOT", "iot", "SIGIOT", "sigabrt", "Abrt"}) EXPECT_EQ(*parse_signal(s), SIGABRT) << s;
  EXPECT_EQ(*parse_signal("POLL"), SIGIO);
  EXPECT_EQ(*parse_signal("SIGCLD"), SIGCHLD);
  EXPECT_EQ(*parse_signal("stkflt"), SIGSTKFLT);
  EXPECT_EQ(*parse_signal("PWR"), SIGPWR);
  EXPECT_EQ(*parse_signal("rtmin"), 34);
  EXPECT_EQ(*parse_signal("SIGRTMIN+15"), 49);
  EXPECT_EQ(*parse_signal("RTMAX-14"), 50);
  EXPECT_EQ(*parse_signal("sigrtmax"), 64);
  for (const char* s : {"RTMIN+16", "RTMAX-15", "RTMIN+0", "RTMIN+01", "RTMAX-", "UNUSED", "SIG", "TERM ", "1.5"})
    EXPECT_FALSE(parse_signal(s)) << s;
  // Numbers as Go's Atoi reads them; the kill checks the platform's range.
  EXPECT_EQ(*parse_signal("+5"), 5);
  EXPECT_EQ(*parse_signal("010"), 10);
  EXPECT_EQ(*parse_signal("-1"), -1);
  EXPECT_EQ(*parse_signal("65"), 65);
  EXPECT_FALSE(parse_signal("+-1"));
  EXPECT_FALSE(parse_signal("-0"));
  EXPECT_TRUE(signal_supported(31) && signal_supported(34) && signal_supported(64));
  EXPECT_FALSE(signal_supported(32) || signal_supported(33) || signal_supported(65) || signal_supported(-1));
}

TEST(ContainerWait, Conditions) {
  EXPECT_EQ(*parse_wait_condition(""), WaitCondition::NotRunning);
  EXPECT_EQ(*parse_wait_condition("removed"), WaitCondition::Removed);
  EXPECT_FALSE(parse_wait_condition("later"));
}

TEST(ContainerConfig, ImageDefaultsMergeLikeDockerd) {
  auto c = fresh();
  std::vector<std::string> warnings;
  ASSERT_TRUE(apply_create_body(c, R"({"Image":"busybox","Env":["LANG=de","X=1"],"Labels":{"a":"b"}})",
                                image_config(), warnings));
  EXPECT_EQ(c.path, "sh");
  EXPECT_TRUE(c.args.empty());
  auto config = config_of(c);
  // dockerd: the user's entries first, then the image's not overridden.
  EXPECT_EQ(boost::json::serialize(config["Env"]), R"(["LANG=de","X=1","PATH=/usr/bin:/bin"])");
  EXPECT_EQ(config["WorkingDir"].as_string(), "/srv");
  EXPECT_EQ(config["Hostname"].as_string(), "0123456789ab");
  EXPECT_EQ(c.labels.at("a"), "b");
  EXPECT_EQ(c.labels.at("from"), "image");
  auto hc = boost::json::parse(c.host_config).as_object();
  EXPECT_EQ(hc["NetworkMode"].as_string(), "default");
  EXPECT_EQ(hc["LogConfig"].as_object()["Type"].as_string(), "json-file");
}

TEST(ContainerConfig, EntrypointDropsImageCmd) {
  auto c = fresh();
  std::vector<std::string> w;
  ASSERT_TRUE(apply_create_body(c, R"({"Image":"busybox","Entrypoint":["echo"]})", image_config(), w));
  EXPECT_EQ(c.path, "echo");
  EXPECT_TRUE(c.args.empty());
  auto c2 = fresh();
  ASSERT_TRUE(apply_create_body(c2, R"({"Image":"busybox","Cmd":["echo","hi"]})", image_config(), w));
  EXPECT_EQ(c2.path, "echo");
  EXPECT_EQ(c2.args, std::vector<std::string>{"hi"});
}

TEST(ContainerConfig, EmptyCmdOrEntrypointMergeLikeGo) {
  std::vector<std::string> w;
  auto ic = image_config();
  ic.config.volumes = {"/iv"};
  // An empty Cmd counts as unset; an [] Entrypoint stays [] (not null).
  auto c = fresh();
  ASSERT_TRUE(apply_create_body(c, R"({"Image":"b","Cmd":[],"Entrypoint":[]})", ic, w));
  EXPECT_EQ(c.path, "sh");
  auto config = config_of(c);
  EXPECT_EQ(boost::json::serialize(config["Entrypoint"]), "[]");
  EXPECT_EQ(boost::json::serialize(config["Cmd"]), R"(["sh"])");
  // [""] clears the image's Entrypoint and keeps the image's Cmd out.
  auto c2 = fresh();
  ASSERT_TRUE(apply_create_body(c2, R"({"Image":"b","Entrypoint":[""],"Cmd":["true"]})", ic, w));
  EXPECT_EQ(config_of(c2)["Entrypoint"], nullptr);
  EXPECT_EQ(c2.path, "true");
  // The image's VOLUMEs join the container's.
  EXPECT_EQ(boost::json::serialize(config["Volumes"]), R"({"/iv":{}})");
  auto c3 = fresh();
  ASSERT_TRUE(apply_create_body(c3, R"({"Image":"b","Volumes":{"/data":{}}})", ic, w));
  EXPECT_EQ(boost::json::serialize(config_of(c3)["Volumes"]), R"({"/data":{},"/iv":{}})");
}

TEST(ContainerConfig, HostNetworkTakesTheHostsName) {
  std::vector<std::string> w;
  auto c = fresh();
  ASSERT_TRUE(apply_create_body(c, R"({"Image":"b","HostConfig":{"NetworkMode":"host"}})", image_config(), w));
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(config_of(c)["Hostname"].as_string(), host);
  auto c2 = fresh();
  ASSERT_TRUE(apply_create_body(c2, R"({"Image":"b","Hostname":"h","HostConfig":{"NetworkMode":"host"}})",
                                image_config(), w));
  EXPECT_EQ(config_of(c2)["Hostname"].as_string(), "h");
}

TEST(ContainerConfig, BadBodiesAreDockerErrors) {
  std::vector<std::string> w;
  oci::ImageConfig empty;
  auto c = fresh();
  EXPECT_EQ(apply_create_body(c, R"({"Image":"busybox"})", empty, w).error().to_string(), "No command specified");
  EXPECT_FALSE(apply_create_body(c, R"({"Image":"b","Cmd":[1]})", image_config(), w));
  EXPECT_FALSE(apply_create_body(c, "{nope", image_config(), w));
  // Whether a user network exists is the networking glue's question.
  EXPECT_TRUE(apply_create_body(c, R"({"Image":"b","HostConfig":{"NetworkMode":"mynet"}})", image_config(), w));
  EXPECT_EQ(apply_create_body(c, R"({"Image":"b","HostConfig":{"NetworkMode":"container:"}})", image_config(), w)
                .error().category(), ErrorCategory::InvalidArgument);
  EXPECT_FALSE(apply_create_body(c, R"({"Image":"b","HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}})",
                                 image_config(), w));
  EXPECT_FALSE(apply_create_body(c, R"({"Image":"b","HostConfig":{"Memory":1024}})", image_config(), w));
  EXPECT_FALSE(create_body_image(R"({"Cmd":["x"]})"));
}

TEST(ContainerConfig, RunSettingsReadBack) {
  auto c = fresh();
  std::vector<std::string> w;
  ASSERT_TRUE(apply_create_body(c, R"({"Image":"b","Tty":true,"OpenStdin":true,"User":"1:2",
      "HostConfig":{"NetworkMode":"host","Memory":10485760,"PidsLimit":5,"CapDrop":["NET_RAW"],
                    "NanoCpus":500000000,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}})",
                                image_config(), w));
  EXPECT_TRUE(c.tty && c.open_stdin && !c.auto_remove);
  auto s = *run_settings(c);
  EXPECT_EQ(s.network_mode, "host");
  EXPECT_EQ(*s.memory, 10485760);
  EXPECT_EQ(*s.pids_limit, 5);
  EXPECT_EQ(*s.cpu_quota, 50000);
  EXPECT_EQ(s.cap_drop, std::vector<std::string>{"NET_RAW"});
  EXPECT_EQ(s.user, "1:2");
  EXPECT_EQ(s.restart_policy, "on-failure");
  EXPECT_EQ(s.restart_max, 3);
  Container loaded = c;
  loaded.tty = loaded.open_stdin = false;
  ASSERT_TRUE(derive_flags(loaded));
  EXPECT_TRUE(loaded.tty && loaded.open_stdin);
}

TEST(ContainerStore, StateRoundTrips) {
  ContainerState s;
  s.status = "exited";
  s.exit_code = 137;
  s.error = "x \"y\"";
  s.finished_at = "2026-01-02T03:04:05.5Z";
  auto back = *state_from_json(state_to_json(s));
  EXPECT_EQ(back.status, "exited");
  EXPECT_EQ(back.exit_code, 137);
  EXPECT_EQ(back.error, s.error);
  EXPECT_EQ(back.finished_at, s.finished_at);
  EXPECT_FALSE(state_from_json("[]"));
}

}  // namespace
}  // namespace berth::engine
