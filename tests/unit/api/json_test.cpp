// Docker's JSON shapes for errors, events, /version and /info.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/docker_api.hpp"
#include "api/errors.hpp"
#include "api/json_body.hpp"
#include "api/system_json.hpp"

namespace berth::api {
namespace {

namespace http = boost::beast::http;

TEST(Errors, OneTableMapsCategoriesToStatuses) {
  EXPECT_EQ(status_for(ErrorCategory::NotFound), http::status::not_found);
  EXPECT_EQ(status_for(ErrorCategory::Conflict), http::status::conflict);
  EXPECT_EQ(status_for(ErrorCategory::InvalidArgument), http::status::bad_request);
  EXPECT_EQ(status_for(ErrorCategory::PermissionDenied), http::status::forbidden);
  EXPECT_EQ(status_for(ErrorCategory::Unavailable), http::status::service_unavailable);
  EXPECT_EQ(status_for(ErrorCategory::Internal), http::status::internal_server_error);
}

TEST(Errors, BodyIsDockersMessageObject) {
  Error e(ErrorCategory::NotFound, "No such container: web");
  EXPECT_EQ(error_body(e), "{\"message\":\"No such container: web\"}\n");
  auto parsed = boost::json::parse(error_body(std::string("bad \xc3 \"q\"")));
  EXPECT_EQ(parsed.at("message"), "bad \xEF\xBF\xBD \"q\"");
}

TEST(EventJson, ContainerEventsCarryTheLegacyFields) {
  engine::Event e{"container", "die", "abc123", {{"image", "busybox"}, {"name", "web"}, {"exitCode", "3"}}, "local", 1700000000123456789};
  auto j = event_json(e).as_object();
  EXPECT_EQ(j["status"], "die");
  EXPECT_EQ(j["id"], "abc123");
  EXPECT_EQ(j["from"], "busybox");
  EXPECT_EQ(j["Type"], "container");
  EXPECT_EQ(j["Action"], "die");
  EXPECT_EQ(j["Actor"].at("ID"), "abc123");
  EXPECT_EQ(j["Actor"].at("Attributes").at("exitCode"), "3");
  EXPECT_EQ(j["scope"], "local");
  EXPECT_EQ(j["time"], 1700000000);
  EXPECT_EQ(j["timeNano"], 1700000000123456789);
}

TEST(EventJson, OtherTypesHaveNoLegacyFields) {
  engine::Event e{"network", "create", "n1", {{"name", "front"}}, "local", 1};
  auto j = event_json(e).as_object();
  EXPECT_FALSE(j.contains("status"));
  EXPECT_FALSE(j.contains("id"));
  EXPECT_FALSE(j.contains("from"));
}

TEST(SystemJson, VersionHasWhatTheCliPrints) {
  engine::VersionInfo v{"0.1.0", "1.44", "1.24", "abc", "g++ 12", "linux", "amd64", "6.1", "t", {}};
  v.components.push_back({"Engine", "0.1.0", {{"ApiVersion", "1.44"}}});
  auto j = version_json(v).as_object();
  for (const char* key : {"Version", "ApiVersion", "MinAPIVersion", "GitCommit", "GoVersion", "Os",
                          "Arch", "KernelVersion", "BuildTime", "Components"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["Components"].at(0).at("Details").at("ApiVersion"), "1.44");
}

TEST(SystemJson, InfoCarriesHostNumbersAndRegistryConfig) {
  engine::SystemInfo i;
  i.ncpu = 8;
  i.mem_total = 1 << 30;
  i.containers = {5, 2, 1, 2};
  i.insecure_registries = {"10.0.0.0/8", "myreg:5000"};
  auto j = info_json(i).as_object();
  EXPECT_EQ(j["NCPU"], 8);
  EXPECT_EQ(j["MemTotal"], 1 << 30);
  EXPECT_EQ(j["ContainersRunning"], 2);
  EXPECT_EQ(j["Swarm"].at("LocalNodeState"), "inactive");
  auto reg = j["RegistryConfig"].as_object();
  EXPECT_EQ(reg["InsecureRegistryCIDRs"].at(0), "10.0.0.0/8");
  EXPECT_EQ(reg["IndexConfigs"].at("myreg:5000").at("Secure"), false);
}

TEST(JsonBody, ChecksContentTypeAndSyntax) {
  EXPECT_TRUE(parse_json_body("", "")->is_null());
  EXPECT_EQ(parse_json_body("application/json", R"({"Image":"bb"})")->at("Image"), "bb");
  EXPECT_TRUE(parse_json_body("Application/JSON; charset=utf-8", "{}"));
  EXPECT_TRUE(parse_json_body("", "{}"));
  auto wrong = parse_json_body("text/plain", "{}");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().to_string(),
            "unsupported Content-Type header (text/plain): must be 'application/json'");
  auto bad = parse_json_body("application/json", "{\"Image\": ");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(ErrorCategory::InvalidArgument));
  EXPECT_FALSE(parse_json_body("application/json", std::string(100, '[')));  // too deep
}

TEST(Timestamps, ParseSecondsAndNanoseconds) {
  EXPECT_EQ(*parse_timestamp("1700000000"), 1700000000000000000);
  EXPECT_EQ(*parse_timestamp("1700000000.5"), 1700000000500000000);
  EXPECT_EQ(*parse_timestamp("1700000000.000000001"), 1700000000000000001);
  for (const char* bad : {"", "x", "1.", "1.1234567890", "1.-5", "99999999999999999999"})
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
}

}  // namespace
}  // namespace berth::api
