#include "cli/format.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace berth::cli {
namespace {

TEST(Format, HumanDurationMatchesGoUnits) {
  EXPECT_EQ(human_duration(0), "Less than a second");
  EXPECT_EQ(human_duration(1), "1 second");
  EXPECT_EQ(human_duration(59), "59 seconds");
  EXPECT_EQ(human_duration(60), "About a minute");
  EXPECT_EQ(human_duration(59 * 60), "59 minutes");
  EXPECT_EQ(human_duration(3600), "About an hour");
  EXPECT_EQ(human_duration(47 * 3600), "47 hours");
  EXPECT_EQ(human_duration(3 * 86400), "3 days");
  EXPECT_EQ(human_duration(20 * 86400), "2 weeks");
  EXPECT_EQ(human_duration(200 * 86400), "6 months");
  EXPECT_EQ(human_duration(800LL * 86400), "2 years");
}

TEST(Format, Sizes) {
  EXPECT_EQ(human_size(0), "0B");
  EXPECT_EQ(human_size(1983000), "1.98MB");
  EXPECT_EQ(human_size(1983000, 4), "1.983MB");
  EXPECT_EQ(human_size(999), "999B");
  EXPECT_EQ(bytes_size(25275985920.0), "23.54GiB");
}

TEST(Format, TabwriterPadsAllButTheLastCell) {
  EXPECT_EQ(tabwrite("A\tBB\tC\nlonger-cell\tx\ty\n", 10, 3),
            "A             BB        C\nlonger-cell   x         y\n");
}

TEST(Format, QuoteAndEllipsis) {
  EXPECT_EQ(go_quote("sh -c \"x\"\n"), "\"sh -c \\\"x\\\"\\n\"");
  EXPECT_EQ(ellipsis("sh -c 'echo out; echo err'", 20), "sh -c 'echo out; ec…");
  EXPECT_EQ(ellipsis("short", 20), "short");
}

TEST(Format, GoJsonSortsKeysAndEscapesHtml) {
  auto v = boost::json::parse(R"({"b":"<x>&","a":[1,2.5,true,null]})");
  EXPECT_EQ(go_json(v), R"({"a":[1,2.5,true,null],"b":"\u003cx\u003e\u0026"})");
  EXPECT_EQ(go_print(v), "map[a:[1 2.5 true <nil>] b:<x>&]");
}

TEST(Format, IndentKeepsEscapesAndCompactEmpties) {
  EXPECT_EQ(indent_json(R"([{"a":"\u003c,:{","b":[],"c":{},"d":[1,{"e":2}]}])"),
            "[\n    {\n        \"a\": \"\\u003c,:{\",\n        \"b\": [],\n        \"c\": {},\n"
            "        \"d\": [\n            1,\n            {\n                \"e\": 2\n            }\n"
            "        ]\n    }\n]");
}

TEST(Format, TimeStrings) {
  EXPECT_EQ(go_time_string(0), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(parse_rfc3339("2026-05-07T21:09:36.000000000+00:00"), 1778188176);
  EXPECT_EQ(parse_rfc3339("2026-05-07T23:09:36+02:00"), 1778188176);
}

TEST(Template, FieldsJsonIndexAndTables) {
  auto row = boost::json::parse(R"({"ID":"abc","State":{"Status":"exited"},"Labels":{"k":"v"}})");
  auto t = Template::parse("{{.ID}} {{.State.Status}} {{json .State}} {{index .Labels \"k\"}} {{upper .ID}}");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t->render(row), "abc exited {\"Status\":\"exited\"} v ABC\n");
  auto missing = Template::parse("{{.Nope}}");
  EXPECT_EQ(*missing->render(row), "<no value>\n");
  auto table = render_rows("table {{.ID}}\\t{{.State.Status}}", "", {row}, {{"ID", "CONTAINER ID"}});
  ASSERT_TRUE(table);
  EXPECT_EQ(*table, "CONTAINER ID   STATE\nabc            exited\n");
  EXPECT_FALSE(Template::parse("{{.ID"));
  EXPECT_FALSE(Template::parse("{{range .X}}"));
}

TEST(Template, TrimMarkers) {
  auto t = Template::parse("a  {{- .ID -}}  b");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t->render(boost::json::parse(R"({"ID":"x"})")), "axb\n");
}

}  // namespace
}  // namespace berth::cli
