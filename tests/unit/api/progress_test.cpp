#include "api/progress.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace berth::api {
namespace {

boost::json::object parse_line(const std::string& line) {
  EXPECT_EQ(line.back(), '\n');
  return boost::json::parse(line).as_object();
}

TEST(Progress, LinesAreTheShapesTheCliDecodes) {
  auto s = parse_line(progress::status("Pulling from bb", "1"));
  EXPECT_EQ(s["status"], "Pulling from bb");
  EXPECT_EQ(s["id"], "1");
  EXPECT_FALSE(parse_line(progress::status("Digest: sha256:x")).contains("id"));

  auto b = parse_line(progress::bar("Pushing", "abc", 500, 1000));
  EXPECT_EQ(b["progressDetail"].at("current"), 500);
  EXPECT_EQ(b["progressDetail"].at("total"), 1000);
  EXPECT_EQ(std::string(b["progress"].as_string()).substr(0, 27), "[=========================>");

  auto e = parse_line(progress::error("manifest unknown"));
  EXPECT_EQ(e["error"], "manifest unknown");
  EXPECT_EQ(e["errorDetail"].at("message"), "manifest unknown");

  EXPECT_EQ(parse_line(progress::stream("Step 1/4 : FROM busybox\n"))["stream"],
            "Step 1/4 : FROM busybox\n");
  EXPECT_EQ(parse_line(progress::aux(R"({"ID":"sha256:ab"})"))["aux"].at("ID"), "sha256:ab");
}

TEST(Progress, HumanSizesAreDecimalWithFourDigits) {
  EXPECT_EQ(progress::human_size(527), "527B");
  EXPECT_EQ(progress::human_size(1234567), "1.235MB");
  EXPECT_EQ(progress::human_size(2e9), "2GB");
  EXPECT_EQ(progress::render_bar(0, 0), "");
  EXPECT_EQ(progress::render_bar(1500, 0), "1.5kB");
  auto full = progress::render_bar(10, 10);
  EXPECT_EQ(full.substr(0, 52), "[" + std::string(50, '=') + "]");
}

TEST(Progress, HostileBytesStillMakeValidJson) {
  auto line = progress::stream(std::string("bad \xff\xfe utf8 \x01\n"));
  auto obj = parse_line(line);
  EXPECT_EQ(std::string(obj["stream"].as_string()).find("bad "), 0u);
}

}  // namespace
}  // namespace berth::api
