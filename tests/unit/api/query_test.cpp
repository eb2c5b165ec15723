#include "api/query.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(Query, BooleansFollowDockerdsRule) {
  auto q = *Query::parse("a=1&b=0&c=True&d=False&e=no&f=none&g=&h=yes&i=%20FALSE%20&j");
  EXPECT_TRUE(q.boolean("a"));
  EXPECT_FALSE(q.boolean("b"));
  EXPECT_TRUE(q.boolean("c"));  // compose sends True/False
  EXPECT_FALSE(q.boolean("d"));
  EXPECT_FALSE(q.boolean("e"));
  EXPECT_FALSE(q.boolean("f"));
  EXPECT_FALSE(q.boolean("g"));
  EXPECT_TRUE(q.boolean("h"));
  EXPECT_FALSE(q.boolean("i"));
  EXPECT_FALSE(q.boolean("j"));  // present but empty
  EXPECT_TRUE(q.boolean("missing", true));
  EXPECT_FALSE(q.boolean("missing"));
}

TEST(Query, DecodesEscapesAndPlus) {
  auto q = *Query::parse("repo=R%2Fbb&tag=1&t=name%3Atag&x=a+b");
  EXPECT_EQ(q.get("repo"), "R/bb");
  EXPECT_EQ(q.get("t"), "name:tag");
  EXPECT_EQ(q.get("x"), "a b");
  EXPECT_FALSE(q.get("nope"));
}

TEST(Query, KeepsRepeatedKeysInOrder) {
  auto q = *Query::parse("names=a&names=b&names=c");
  EXPECT_EQ(q.get_all("names"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(q.get("names"), "a");
}

TEST(Query, AcceptsRawJsonLikeGo) {
  auto q = *Query::parse("filters={\"label\": [\"a=b\"]}");
  EXPECT_EQ(q.get("filters"), "{\"label\": [\"a=b\"]}");
}

TEST(Query, RejectsBadEscapes) {
  EXPECT_FALSE(Query::parse("a=%zz"));
  EXPECT_FALSE(Query::parse("a=%4"));
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_EQ(*percent_decode("a+b%2B", false), "a+b+");
}

TEST(Query, IntegersAreCheckedNotGuessed) {
  auto q = *Query::parse("t=10&limit=-1&bad=ten&empty=");
  EXPECT_EQ(*q.integer("t", 0), 10);
  EXPECT_EQ(*q.integer("limit", 0), -1);
  EXPECT_EQ(*q.integer("empty", 7), 7);
  EXPECT_EQ(*q.integer("missing", 5), 5);
  EXPECT_TRUE(q.integer("bad", 0).error().is(ErrorCategory::InvalidArgument));
}

}  // namespace
}  // namespace berth::api
