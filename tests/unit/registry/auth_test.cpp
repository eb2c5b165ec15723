#include "registry/auth.hpp"

#include <gtest/gtest.h>

#include "registry/client.hpp"

namespace berth::registry {
namespace {

TEST(Challenge, ParsesBearerWithQuotedParams) {
  auto c = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push",error="insufficient_scope")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(c[0].params["service"], "registry.docker.io");
  EXPECT_EQ(c[0].params["scope"], "repository:library/busybox:pull,push");
  EXPECT_EQ(c[0].params["error"], "insufficient_scope");
}

TEST(Challenge, ParsesSeveralChallengesAndEscapes) {
  auto c = parse_challenges(R"(Basic realm="Registry \"x\"", Bearer realm=http://t/token)");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params["realm"], "Registry \"x\"");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].params["realm"], "http://t/token");
  EXPECT_TRUE(parse_challenges("").empty());
  EXPECT_TRUE(parse_challenges("=,=").empty());
}

TEST(Base64, RoundTripsAndAcceptsUrlAlphabetWithoutPadding) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "user:p@ss w0rd", std::string("\xff\xfe\x00", 3)}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(*base64_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(base64_decode("!!!!"));
}

TEST(DockerConfig, FindsAuthByHostWithOrWithoutScheme) {
  std::string cfg = R"({"auths":{
    "https://index.docker.io/v1/":{"auth":")" + base64_encode("hub:secret") + R"("},
    "http://127.0.0.1:5000":{"auth":")" + base64_encode("alice:pw:with:colons") + R"("},
    "reg.example":{"username":"bob","password":"pw2"}}})";
  auto hub = credentials_from_config(cfg, "docker.io");
  ASSERT_TRUE(hub && *hub);
  EXPECT_EQ((*hub)->username, "hub");
  auto local = credentials_from_config(cfg, "127.0.0.1:5000");
  ASSERT_TRUE(local && *local);
  EXPECT_EQ((*local)->username, "alice");
  EXPECT_EQ((*local)->password, "pw:with:colons");
  EXPECT_EQ((**credentials_from_config(cfg, "reg.example")).password, "pw2");
  auto none = credentials_from_config(cfg, "other:5000");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(credentials_from_config(R"({"auths":{"x":{"auth":"bm9jb2xvbg=="}}})", "x"));  // "nocolon"
  EXPECT_FALSE(credentials_from_config("[", "x"));
}

TEST(DockerConfig, ChoosesCredentialHelperByHostThenStore) {
  std::string cfg = R"({"credsStore":"desktop","credHelpers":{"127.0.0.1:5000":"pass","https://index.docker.io/v1/":"hub"}})";
  EXPECT_EQ(*credential_helper_for(cfg, "127.0.0.1:5000"), "pass");
  EXPECT_EQ(*credential_helper_for(cfg, "docker.io"), "hub");
  EXPECT_EQ(*credential_helper_for(cfg, "other"), "desktop");
  EXPECT_EQ(*credential_helper_for(R"({"auths":{}})", "other"), "");
}

TEST(CredentialHelper, MissingHelperIsNotFound) {
  auto r = helper_credentials("berth-no-such-helper", "x");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::NotFound));
}

TEST(RegistryAuthHeader, DecodesBase64UrlJson) {
  auto c = parse_registry_auth_header(base64_encode(R"({"username":"u","password":"p","serveraddress":"x"})"));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->username, "u");
  EXPECT_EQ(c->password, "p");
}

TEST(Insecure, LoopbackAndListedHosts) {
  EXPECT_TRUE(is_insecure("127.0.0.1:5000", {}));
  EXPECT_TRUE(is_insecure("127.8.9.10", {}));
  EXPECT_TRUE(is_insecure("localhost:5000", {}));
  EXPECT_TRUE(is_insecure("[::1]:5000", {}));
  EXPECT_FALSE(is_insecure("registry.example:5000", {}));
  EXPECT_TRUE(is_insecure("registry.example:5000", {"registry.example:5000"}));
  EXPECT_TRUE(is_insecure("registry.example:5000", {"registry.example"}));
  EXPECT_FALSE(is_insecure("1270.0.0.1", {}));
}

TEST(PullEndpoints, MirrorsOnlyForDockerIoEachOnItsOwnThenTheRegistry) {
  using Groups = std::vector<std::vector<std::string>>;
  ClientOptions o;
  o.mirrors = {"http://127.0.0.1:1/", "https://m.example"};
  EXPECT_EQ(Client::pull_endpoints("docker.io", o),
            (Groups{{"http://127.0.0.1:1"}, {"https://m.example"}, {"https://registry-1.docker.io"}}));
  EXPECT_EQ(Client::pull_endpoints("127.0.0.1:5000", o),
            (Groups{{"https://127.0.0.1:5000", "http://127.0.0.1:5000"}}));
  EXPECT_EQ(Client::pull_endpoints("quay.example", o), (Groups{{"https://quay.example"}}));
}

TEST(ResponseError, FormatsLikeDocker) {
  Response r;
  r.status = 401;
  r.body = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]})";
  Request q;
  q.method = "HEAD";
  q.url = "http://127.0.0.1:5000/v2/x/manifests/latest";
  auto e = response_error(r, q);
  EXPECT_TRUE(e.is(ErrorCategory::PermissionDenied));
  EXPECT_EQ(e.to_string(), R"(Head "http://127.0.0.1:5000/v2/x/manifests/latest": unauthorized: authentication required)");
  r.status = 404;
  r.body = R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})";
  EXPECT_TRUE(response_error(r, q).is(ErrorCategory::NotFound));
  EXPECT_NE(response_error(r, q).to_string().find("manifest unknown: manifest unknown"), std::string::npos);
  r.status = 503;
  r.body = "<html>";
  EXPECT_TRUE(response_error(r, q).is(ErrorCategory::Unavailable));
}

}  // namespace
}  // namespace berth::registry
