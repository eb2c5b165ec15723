#include "cli/platform.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace berth::cli {
namespace {

std::string norm(const std::string& s) {
  auto r = normalize_platform(s);
  return r ? *r : "error: " + r.error().message();
}

TEST(Platform, NormalisedAsContainerdDoes) {
  EXPECT_EQ(norm("linux/amd64"), "linux/amd64");
  EXPECT_EQ(norm("x86_64"), "linux/amd64");
  EXPECT_EQ(norm("linux/aarch64"), "linux/arm64");
  EXPECT_EQ(norm("linux/arm64/v8"), "linux/arm64/v8");
  EXPECT_EQ(norm("linux/arm64"), "linux/arm64");
  EXPECT_EQ(norm("LINUX/arm/v7"), "linux/arm/v7");
  EXPECT_EQ(norm("linux/arm"), "linux/arm");
  EXPECT_EQ(norm("armhf"), "linux/arm");
  EXPECT_EQ(norm("linux/armel"), "linux/arm/v6");
  EXPECT_EQ(norm("linux/i386"), "linux/386");
  EXPECT_EQ(norm("macos/arm64"), "darwin/arm64");
}

TEST(Platform, BadSpecifiersGiveDockersErrors) {
  EXPECT_EQ(norm("bogus//x"),
            "error: error parsing specified platform: \"\" is an invalid component of \"bogus//x\": platform "
            "specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument");
  EXPECT_EQ(norm("foo"), "error: error parsing specified platform: \"foo\": unknown operating system or "
                         "architecture: invalid argument");
  EXPECT_EQ(norm("a/b/c/d"), "error: error parsing specified platform: \"a/b/c/d\": cannot parse platform "
                             "specifier: invalid argument");
}

TEST(Platform, FlagThenDockerDefaultPlatform) {
  ::setenv("DOCKER_DEFAULT_PLATFORM", "linux/arm64", 1);
  EXPECT_EQ(platform_flag("", false), "linux/arm64");
  EXPECT_EQ(platform_flag("linux/amd64", true), "linux/amd64");
  ::unsetenv("DOCKER_DEFAULT_PLATFORM");
  EXPECT_EQ(platform_flag("", false), "");
}

}  // namespace
}  // namespace berth::cli
