#include "registry/search.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

TEST(Search, TermNamesTheIndex) {
  auto t = search_target("busybox");
  EXPECT_EQ(t.index, "docker.io");
  EXPECT_EQ(t.query, "busybox");
  t = search_target("someone/app");
  EXPECT_EQ(t.index, "docker.io");
  EXPECT_EQ(t.query, "someone/app");
  t = search_target("127.0.0.1:5000/busybox");
  EXPECT_EQ(t.index, "127.0.0.1:5000");
  EXPECT_EQ(t.query, "busybox");
  t = search_target("localhost/team/app");
  EXPECT_EQ(t.index, "localhost");
  EXPECT_EQ(t.query, "team/app");
  t = search_target("docker.io/library/busybox");
  EXPECT_EQ(t.index, "docker.io");
  EXPECT_EQ(t.query, "library/busybox");
}

TEST(Search, ParsesTheIndexAnswer) {
  auto r = parse_search_results(
      R"({"num_results":2,"query":"bb","results":[)"
      R"({"name":"busybox","description":"d","star_count":3000,"is_official":true,"is_automated":false},)"
      R"({"name":"x/bb","star_count":1,"is_automated":true}]})");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "busybox");
  EXPECT_EQ((*r)[0].star_count, 3000);
  EXPECT_TRUE((*r)[0].is_official);
  EXPECT_EQ((*r)[1].description, "");
  EXPECT_TRUE((*r)[1].is_automated);
  EXPECT_FALSE(parse_search_results("not json"));
}

TEST(Search, UnreachableIndexReadsLikeDockerd) {
  ClientOptions options;
  auto r = search("127.0.0.1:1/busybox", 25, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "invalid registry endpoint \"http://127.0.0.1:1/v1/\". HTTPS attempt: Get \"https://127.0.0.1:1/v1/_ping\": "
            "dial tcp 127.0.0.1:1: connect: connection refused. HTTP attempt: Get \"http://127.0.0.1:1/v1/_ping\": "
            "dial tcp 127.0.0.1:1: connect: connection refused");
}

}  // namespace
}  // namespace berth::registry
