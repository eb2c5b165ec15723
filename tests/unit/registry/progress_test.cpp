#include "registry/progress.hpp"

#include <gtest/gtest.h>

#include "oci/json.hpp"
#include "registry/pull.hpp"

namespace berth::registry {
namespace {

TEST(Progress, DownloadingCarriesDetailBarAndShortId) {
  ProgressEvent e{short_id("sha256:0123456789abcdef0123"), "Downloading", 1000000, 2000000, true, "", ""};
  auto j = oci::parse_json(to_json_message(e));
  ASSERT_TRUE(j);
  const auto& o = j->as_object();
  EXPECT_EQ(o.at("status").as_string(), "Downloading");
  EXPECT_EQ(o.at("id").as_string(), "0123456789ab");
  EXPECT_EQ(o.at("progressDetail").at("current").as_int64(), 1000000);
  EXPECT_EQ(o.at("progressDetail").at("total").as_int64(), 2000000);
  std::string bar(o.at("progress").as_string());
  EXPECT_EQ(bar.substr(0, 27), "[" + std::string(25, '=') + ">");
  EXPECT_NE(bar.find("1MB/2MB"), std::string::npos);
}

TEST(Progress, StatusLinesAndErrorsMatchDockerShapes) {
  EXPECT_EQ(to_json_message({"abc", "Pull complete", -1, -1, true, "", ""}),
            R"({"status":"Pull complete","progressDetail":{},"id":"abc"})");
  EXPECT_EQ(to_json_message({"", "Digest: sha256:x", -1, -1, false, "", ""}), R"({"status":"Digest: sha256:x"})");
  EXPECT_EQ(to_json_message({"", "", -1, -1, false, "unauthorized: \"x\"", ""}),
            R"({"errorDetail":{"message":"unauthorized: \"x\""},"error":"unauthorized: \"x\""})");
  EXPECT_EQ(to_json_message({"", "", -1, -1, false, "", R"({"Tag":"v1"})"}),
            R"({"progressDetail":{},"aux":{"Tag":"v1"}})");
}

TEST(Platform, ParsesOsArchVariant) {
  auto p = parse_platform("linux/arm64/v8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->architecture, "arm64");
  EXPECT_EQ(p->variant, "v8");
  EXPECT_FALSE(parse_platform("linux"));
  EXPECT_FALSE(parse_platform("linux//"));
}

}  // namespace
}  // namespace berth::registry
