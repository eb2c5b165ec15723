#include "api/filters_json.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(Filters, MapFormFromTheCli) {
  auto f = *parse_filters(R"({"label":{"a=b":true},"status":{"running":true,"exited":true}})");
  EXPECT_EQ(f.values("label"), (std::vector<std::string>{"a=b"}));
  EXPECT_EQ(f.values("status"), (std::vector<std::string>{"exited", "running"}));
}

TEST(Filters, ListFormFromDockerPyAndCompose) {
  auto f = *parse_filters(
      R"({"label": ["com.docker.compose.project=demo", "com.docker.compose.oneoff=False"]})");
  EXPECT_EQ(f.values("label").size(), 2u);
  EXPECT_TRUE(f.match_labels("label", {{"com.docker.compose.project", "demo"},
                                       {"com.docker.compose.oneoff", "False"},
                                       {"other", "x"}}));
  EXPECT_FALSE(f.match_labels("label", {{"com.docker.compose.project", "demo"}}));
}

TEST(Filters, EmptyAndNullMeanNoFilter) {
  EXPECT_TRUE(parse_filters("")->empty());
  EXPECT_TRUE(parse_filters("null")->empty());
  EXPECT_TRUE(parse_filters("{}")->empty());
}

TEST(Filters, MalformedIsInvalidArgument) {
  for (const char* bad : {"{", "[]", R"({"a":1})", R"({"a":[1]})", R"({"a":{"b":"c"}})", "\"x\""}) {
    auto f = parse_filters(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_TRUE(f.error().is(ErrorCategory::InvalidArgument));
    EXPECT_EQ(f.error().to_string(), "invalid filter");
  }
}

TEST(Filters, MatchingHelpers) {
  auto f = *parse_filters(R"({"id":["abc"],"name":{"web":true}})");
  EXPECT_TRUE(f.fuzzy_match("id", "abcdef"));
  EXPECT_FALSE(f.fuzzy_match("id", "xabc"));
  EXPECT_TRUE(f.exact_match("name", "web"));
  EXPECT_FALSE(f.exact_match("name", "web2"));
  EXPECT_TRUE(f.exact_match("absent", "anything"));
  EXPECT_TRUE(f.validate({"id", "name"}));
  auto bad = f.validate({"id"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "invalid filter 'name'");
}

TEST(Filters, RoundTripsThroughTheMapForm) {
  auto f = *parse_filters(R"({"label": ["a=b"], "type": ["container"]})");
  auto again = *parse_filters(filters_to_json(f));
  EXPECT_EQ(again.terms(), f.terms());
}

}  // namespace
}  // namespace berth::api
