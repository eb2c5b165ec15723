#include "api/version.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(Version, ComparesNumericallyNotLexically) {
  EXPECT_LT(compare_versions("1.9", "1.24"), 0);
  EXPECT_GT(compare_versions("1.44", "1.4"), 0);
  EXPECT_EQ(compare_versions("1.44", "1.44.0"), 0);
  EXPECT_GT(compare_versions("2", "1.50"), 0);
}

TEST(Version, SplitsThePrefix) {
  auto v = split_version("/v1.44/containers/json");
  EXPECT_EQ(v.version, "1.44");
  EXPECT_EQ(v.path, "/containers/json");
  EXPECT_FALSE(split_version("/containers/json").version);
  EXPECT_FALSE(split_version("/version").version);  // "/v" + letters is a path
  EXPECT_FALSE(split_version("/v1.44x/info").version);
  EXPECT_EQ(split_version("/v1.41").path, "/");
}

TEST(Version, NegotiatesTheServedVersion) {
  EXPECT_EQ(*negotiate_version(std::nullopt), "1.44");
  EXPECT_EQ(*negotiate_version("1.24"), "1.24");
  EXPECT_EQ(*negotiate_version("1.50"), "1.50");
  auto too_new = negotiate_version("1.51");
  ASSERT_FALSE(too_new);
  EXPECT_EQ(too_new.error().to_string(),
            "client version 1.51 is too new. Maximum supported API version is 1.50");
  EXPECT_TRUE(too_new.error().is(ErrorCategory::InvalidArgument));
  auto too_old = negotiate_version("1.12");
  ASSERT_FALSE(too_old);
  EXPECT_NE(too_old.error().to_string().find("is too old"), std::string::npos);
}

}  // namespace
}  // namespace berth::api
