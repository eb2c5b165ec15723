#include <gtest/gtest.h>

#include "net/dns/message.hpp"

namespace berth::net::dns {
namespace {

TEST(DnsMessage, QueryRoundTrip) {
  auto bytes = build_query(0x1234, "Web.App", kTypeA);
  auto q = parse_query(bytes);
  ASSERT_TRUE(q) << q.error().to_string();
  EXPECT_EQ(q->header.id, 0x1234);
  EXPECT_TRUE(q->header.recursion_desired());
  EXPECT_EQ(q->question.name, "web.app");  // case-folded
  EXPECT_EQ(q->question.type, kTypeA);
  EXPECT_EQ(q->question_end, bytes.size());
}

TEST(DnsMessage, AnswerCarriesRecords) {
  auto q = parse_query(build_query(7, "db", kTypeA)).value();
  auto a = answer_a(q, {Ipv4::parse("172.18.0.2").value(), Ipv4::parse("172.18.0.3").value()}, 600);
  auto h = parse_header(a).value();
  EXPECT_TRUE(h.is_response());
  EXPECT_EQ(h.id, 7);
  EXPECT_EQ(h.ancount, 2);
  EXPECT_EQ(h.rcode(), Rcode::NoError);
  // Last four bytes: the second address.
  EXPECT_EQ(std::vector<uint8_t>(a.end() - 4, a.end()), (std::vector<uint8_t>{172, 18, 0, 3}));
  // The answer's owner is a pointer to the question; it must read back.
  size_t off = 12;
  EXPECT_EQ(read_name(a, off).value(), "db");
  size_t answer_at = off + 4;
  EXPECT_EQ(read_name(a, answer_at).value(), "db");
  auto nx = answer_empty(q, Rcode::NxDomain);
  EXPECT_EQ(parse_header(nx)->rcode(), Rcode::NxDomain);
  auto ptr =
      answer_ptr(*parse_query(build_query(1, "2.0.18.172.in-addr.arpa", kTypePtr)), "db", 600);
  EXPECT_EQ(parse_header(ptr)->ancount, 1);
}

TEST(DnsMessage, HostileInputIsRejectedNotFollowed) {
  // Header claiming one question, then a pointer to itself.
  std::vector<uint8_t> loop{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  EXPECT_FALSE(parse_query(loop));
  // Forward pointer.
  std::vector<uint8_t> fwd{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 0, 1, 0, 1};
  EXPECT_FALSE(parse_query(fwd));
  // Label longer than the message.
  std::vector<uint8_t> longlabel{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 60, 'a', 'b'};
  EXPECT_FALSE(parse_query(longlabel));
  // A response is not a query; a short buffer is not a header.
  auto resp = answer_empty(parse_query(build_query(1, "x", kTypeA)).value(), Rcode::NoError);
  EXPECT_FALSE(parse_query(resp));
  EXPECT_FALSE(parse_query(std::vector<uint8_t>{1, 2, 3}));
  // FORMERR keeps the id.
  auto f = formerr_for(longlabel);
  ASSERT_TRUE(f);
  EXPECT_EQ(parse_header(*f)->rcode(), Rcode::FormErr);
  EXPECT_EQ(parse_header(*f)->id, 1);
}

TEST(DnsMessage, ReverseNames) {
  EXPECT_EQ(parse_reverse_name("2.0.18.172.in-addr.arpa")->str(), "172.18.0.2");
  EXPECT_FALSE(parse_reverse_name("0.18.172.in-addr.arpa"));
  EXPECT_FALSE(parse_reverse_name("db.example"));
}

}  // namespace
}  // namespace berth::net::dns
