// Hostile and malformed requests get Docker-style errors, and the server
// keeps serving everyone else.
#include <boost/json.hpp>

#include "server_fixture.hpp"

namespace berth::api::testing {
namespace {

std::string status_line(const std::string& reply) { return reply.substr(0, reply.find("\r\n")); }

class MalformedTest : public ApiServerTest {
 protected:
  void TearDown() override {
    // Whatever happened, a fresh client is still served.
    if (server_) {
      auto c = connect();
      auto r = c.request("GET", "/_ping");
      EXPECT_TRUE(r && r->status == 200) << "server stopped serving";
    }
    ApiServerTest::TearDown();
  }
  int status(const std::string& method, const std::string& target, std::string body = {}) {
    auto c = connect();
    auto r = c.request(method, target, std::move(body));
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r) return -1;
    last_body = r->body;
    return r->status;
  }
  std::string message() {
    boost::json::error_code ec;
    auto doc = boost::json::parse(last_body, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("message")) return "<not json: " + last_body + ">";
    return std::string(doc.at("message").as_string());
  }
  std::string last_body;
};

TEST_F(MalformedTest, GarbageIsA400AndTheConnectionCloses) {
  EXPECT_EQ(status_line(raw_exchange(socket_, "NOT HTTP AT ALL\r\n\r\n")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(raw_exchange(socket_, std::string("GET /_ping HTTP/1.1\r\nHo\0st: x\r\n\r\n", 33))),
            "HTTP/1.1 400 Bad Request");
}

TEST_F(MalformedTest, OversizedHeadersAre431) {
  std::string req = "GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2 << 20, 'a') + "\r\n\r\n";
  EXPECT_EQ(status_line(raw_exchange(socket_, req)), "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(MalformedTest, VersionsOutsideTheRange) {
  EXPECT_EQ(status("GET", "/v1.51/version"), 400);
  EXPECT_EQ(message(), "client version 1.51 is too new. Maximum supported API version is 1.50");
  EXPECT_EQ(status("GET", "/v9/version"), 400);
  EXPECT_EQ(status("GET", "/v1.12/version"), 400);
  EXPECT_NE(last_body.find("is too old"), std::string::npos);  // plain text, as dockerd
  EXPECT_EQ(status("GET", "/v1.50/version"), 200);
}

TEST_F(MalformedTest, UnknownPathsAndMethods) {
  EXPECT_EQ(status("GET", "/nope"), 404);
  EXPECT_EQ(message(), "page not found");
  EXPECT_EQ(status("GET", "/v1.44/../../etc/passwd"), 404);
  EXPECT_EQ(status("GET", "/containers/..%2F..%2Fetc/json"), 404);
  EXPECT_EQ(status("DELETE", "/version"), 405);
  EXPECT_EQ(message(), "method not allowed");
}

TEST_F(MalformedTest, BadEscapesAndQueries) {
  EXPECT_EQ(status("GET", "/version%zz"), 400);
  EXPECT_EQ(status("GET", "/events?since=%"), 400);
  EXPECT_EQ(status("GET", "/events?filters=%7Bnot-json"), 400);
  EXPECT_EQ(message(), "invalid filter");
  EXPECT_EQ(status("GET", "/events?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D"), 400);
  EXPECT_EQ(message(), "invalid filter 'colour'");
  EXPECT_EQ(status("GET", "/events?since=yesterday"), 400);
}

TEST_F(MalformedTest, BadJsonBodies) {
  EXPECT_EQ(status("POST", "/test/json", "{\"Image\": "), 400);
  EXPECT_NE(message().find("invalid JSON"), std::string::npos);
  EXPECT_EQ(status("POST", "/test/json", std::string("\xff\xfe", 2)), 400);
  EXPECT_EQ(status("POST", "/test/json", "{\"Image\":\"busybox\"}"), 201);
  auto c = connect();
  auto wrong_type = c.request("POST", "/test/json", "{}", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_NE(wrong_type->body.find("must be 'application/json'"), std::string::npos);
  auto with_charset = c.request("POST", "/test/json", "[1]",
                                {{"Content-Type", "application/json; charset=utf-8"}});
  ASSERT_TRUE(with_charset);
  EXPECT_EQ(with_charset->status, 201);
}

TEST_F(MalformedTest, HugeBodiesAreRefused) {
  EXPECT_EQ(status("POST", "/test/json", std::string(3 << 20, ' ')), 400);
  EXPECT_NE(message().find("larger than"), std::string::npos);
  // Bodies sent to an endpoint that does not read them: a small one is
  // drained (keep-alive), a big one answered and discarded (close).
  EXPECT_EQ(status("POST", "/nope", std::string(512 << 10, 'x')), 404);
  EXPECT_EQ(status("POST", "/nope", std::string(3 << 20, 'x')), 404);
}

}  // namespace
}  // namespace berth::api::testing
