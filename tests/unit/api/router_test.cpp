#include "api/router.hpp"

#include <gtest/gtest.h>

#include "api/exchange.hpp"

namespace berth::api {
namespace {

Handler tagged(int* slot, int tag) {
  return [slot, tag](Exchange&) -> Task<Result<>> {
    *slot = tag;
    co_return ok();
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router.add("GET", "/containers/json", tagged(&hit, 1)));
    ASSERT_TRUE(router.add("GET", "/containers/{name*}/json", tagged(&hit, 2)));
    ASSERT_TRUE(router.add("POST", "/containers/{name}/start", tagged(&hit, 3)));
    ASSERT_TRUE(router.add("POST", "/images/{name*}/push", tagged(&hit, 4)));
    ASSERT_TRUE(router.add("DELETE", "/images/{name*}", tagged(&hit, 5)));
    ASSERT_TRUE(router.add("GET", "/images/json", tagged(&hit, 6)));
    ASSERT_TRUE(router.add("GET", "/images/{name*}/json", tagged(&hit, 7)));
  }
  // The handler's registration index via the parameter map, or -1.
  std::string param(std::string_view method, std::string_view path, std::string_view name) {
    auto m = router.match(method, path);
    auto* match = std::get_if<Router::Match>(&m);
    return match ? match->params.get(name) : "<miss>";
  }
  const Handler* handler(std::string_view method, std::string_view path) {
    auto m = router.match(method, path);
    auto* match = std::get_if<Router::Match>(&m);
    return match ? match->handler : nullptr;
  }
  Router router;
  int hit = 0;
};

TEST_F(RouterTest, NamesWithSlashesAndColonsBindAsOneParameter) {
  EXPECT_EQ(param("GET", "/containers/127.0.0.1:5000/bb:1/json", "name"), "127.0.0.1:5000/bb:1");
  EXPECT_EQ(param("POST", "/images/R/bb/push", "name"), "R/bb");
  EXPECT_EQ(param("DELETE", "/images/R/bb:1", "name"), "R/bb:1");
  EXPECT_EQ(param("GET", "/containers/web/json", "name"), "web");
}

TEST_F(RouterTest, LiteralRoutesBeatParameterRoutes) {
  EXPECT_NE(handler("GET", "/containers/json"), handler("GET", "/containers/x/json"));
  EXPECT_EQ(param("GET", "/images/json/json", "name"), "json");
  EXPECT_EQ(param("DELETE", "/images/json", "name"), "json");
  EXPECT_EQ(param("GET", "/images/json", "name"), "");
}

TEST_F(RouterTest, SingleSegmentParametersDoNotSpanSlashes) {
  EXPECT_EQ(param("POST", "/containers/a/b/start", "name"), "<miss>");
  EXPECT_EQ(param("POST", "/containers//start", "name"), "<miss>");
}

TEST_F(RouterTest, UnknownPathsAndWrongMethodsAreDistinguished) {
  EXPECT_EQ(std::get<RouteMiss>(router.match("GET", "/nope")), RouteMiss::NotFound);
  EXPECT_EQ(std::get<RouteMiss>(router.match("PUT", "/containers/json")),
            RouteMiss::MethodNotAllowed);
  EXPECT_EQ(std::get<RouteMiss>(router.match("GET", "/containers/json/")), RouteMiss::NotFound);
  EXPECT_EQ(std::get<RouteMiss>(router.match("GET", "")), RouteMiss::NotFound);
}

TEST(RouterPatterns, MalformedPatternsAreRejected) {
  Router r;
  EXPECT_FALSE(r.add("GET", "relative", nullptr));
  EXPECT_FALSE(r.add("GET", "/x/{}", nullptr));
  EXPECT_FALSE(r.add("GET", "/x/{*}", nullptr));
}

}  // namespace
}  // namespace berth::api
