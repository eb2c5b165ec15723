#include <gtest/gtest.h>
#include <stdlib.h>

#include "cli/config.hpp"
#include "cli/context.hpp"
#include "cli/images.hpp"

namespace berth::cli {
namespace {

TEST(Host, FlagThenBerthHostThenDockerHost) {
  ::setenv("DOCKER_HOST", "unix:///d.sock", 1);
  ::setenv("BERTH_HOST", "unix:///b.sock", 1);
  EXPECT_EQ(choose_host("tcp://127.0.0.1:1"), "tcp://127.0.0.1:1");
  EXPECT_EQ(choose_host(""), "unix:///b.sock");
  ::unsetenv("BERTH_HOST");
  EXPECT_EQ(choose_host(""), "unix:///d.sock");
  ::unsetenv("DOCKER_HOST");
  std::string def = choose_host("");
  EXPECT_TRUE(def == kDefaultHosts[0] || def == kDefaultHosts[1]);
}

TEST(Host, VersionsCompareNumerically) {
  EXPECT_LT(compare_versions("1.9", "1.41"), 0);
  EXPECT_EQ(compare_versions("1.41", "1.41.0"), 0);
  EXPECT_GT(compare_versions("1.50", "1.44"), 0);
}

TEST(Images, ReferencesNormaliseLikeDocker) {
  auto r = parse_image_ref("busybox");
  EXPECT_EQ(r.name, "docker.io/library/busybox");
  EXPECT_EQ(r.tag, "");
  r = parse_image_ref("127.0.0.1:5000/x/bb:1");
  EXPECT_EQ(r.name, "127.0.0.1:5000/x/bb");
  EXPECT_EQ(r.tag, "1");
  r = parse_image_ref("user/app@sha256:abc");
  EXPECT_EQ(r.name, "docker.io/user/app");
  EXPECT_EQ(r.digest, "sha256:abc");
  EXPECT_EQ(registry_of("localhost/x"), "localhost");
  EXPECT_EQ(registry_of("busybox"), kDefaultRegistry);
}

TEST(Config, Base64RoundTripsAndUrlForm) {
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_decode("dXNlcjpwYXNz"), "user:pass");
  EXPECT_EQ(base64_encode("{}"), "e30=");
  EXPECT_EQ(base64_encode("\xfb\xff", true), "-_8=");
}

TEST(Config, CredentialsComeFromTheConfigFile) {
  char dir[] = "/tmp/berth-cli-config-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  ::setenv("DOCKER_CONFIG", dir, 1);
  EXPECT_EQ(credentials_for("reg.example"), "");
  FILE* f = std::fopen((std::string(dir) + "/config.json").c_str(), "w");
  std::fputs(R"({"auths":{"reg.example":{"auth":"dXNlcjpwYXNz"}}})", f);
  std::fclose(f);
  std::string header = credentials_for("reg.example");
  EXPECT_EQ(base64_decode(header), R"({"username":"user","password":"pass","serveraddress":"reg.example"})");
  ::unlink((std::string(dir) + "/config.json").c_str());
  ::rmdir(dir);
  ::unsetenv("DOCKER_CONFIG");
}

}  // namespace
}  // namespace berth::cli
