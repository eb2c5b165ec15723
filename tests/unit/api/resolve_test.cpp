#include "api/resolve.hpp"

#include <gtest/gtest.h>

#include "api/exchange.hpp"

namespace berth::api {
namespace {

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Handler h = [](Exchange&) -> Task<Result<>> { co_return ok(); };
    ASSERT_TRUE(router.add("GET", "/containers/{name*}/json", h));
    ASSERT_TRUE(router.add("POST", "/images/{name*}/tag", h));
  }
  Router router;
};

TEST_F(ResolveTest, VersionedAndUnversionedPathsRouteAlike) {
  auto v = resolve_request(router, "GET", "/v1.41/containers/127.0.0.1:5000/bb:1/json?size=1");
  ASSERT_TRUE(v.handler);
  EXPECT_EQ(v.version, "1.41");
  EXPECT_EQ(v.params.get("name"), "127.0.0.1:5000/bb:1");
  EXPECT_TRUE(v.query.boolean("size"));
  auto u = resolve_request(router, "GET", "/containers/web/json");
  ASSERT_TRUE(u.handler);
  EXPECT_EQ(u.version, "1.44");
}

TEST_F(ResolveTest, EncodedSlashesInNamesDecodeBeforeRouting) {
  auto r = resolve_request(router, "POST", "/v1.44/images/busybox/tag?repo=R%2Fbb&tag=1");
  ASSERT_TRUE(r.handler);
  EXPECT_EQ(r.params.get("name"), "busybox");
  EXPECT_EQ(r.query.get("repo"), "R/bb");
  auto e = resolve_request(router, "GET", "/containers/a%2Fb/json");
  EXPECT_EQ(e.params.get("name"), "a/b");
}

TEST_F(ResolveTest, ErrorsSayWhy) {
  EXPECT_EQ(resolve_request(router, "GET", "/nope").error->to_string(), "page not found");
  EXPECT_TRUE(resolve_request(router, "PUT", "/containers/x/json").wrong_method);
  EXPECT_TRUE(resolve_request(router, "GET", "/v1.99/containers/x/json").error);
  EXPECT_FALSE(resolve_request(router, "GET", "/v1.99/x").plain_text_errors());
  EXPECT_TRUE(resolve_request(router, "GET", "/v1.12/x").plain_text_errors());
  EXPECT_TRUE(resolve_request(router, "GET", "*").error);
  EXPECT_TRUE(resolve_request(router, "GET", "/containers/%zz/json").error);
  EXPECT_TRUE(resolve_request(router, "GET", "/containers/x/json?a=%").error);
}

}  // namespace
}  // namespace berth::api
