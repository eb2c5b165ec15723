// DNS wire format (RFC 1035), only as much as the embedded server needs:
// parse a query's header and question, build answers (A, PTR, empty
// NOERROR, NXDOMAIN, SERVFAIL, REFUSED). Input comes from containers, so
// the parser bounds every read, follows at most a few compression
// pointers and never recurses; it is fuzzed (tests/fuzz/net_dns.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"

namespace berth::net::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kClassIn = 1;

enum class Rcode : uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, Refused = 5 };

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  bool is_response() const { return flags & 0x8000; }
  uint8_t opcode() const { return (flags >> 11) & 0xf; }
  bool recursion_desired() const { return flags & 0x0100; }
  Rcode rcode() const { return static_cast<Rcode>(flags & 0xf); }
};

struct Question {
  std::string name;  // lower-case, dotted, no trailing dot ("" is the root)
  uint16_t type = 0;
  uint16_t klass = 0;
};

struct Query {
  Header header;
  Question question;
  size_t question_end = 0;  // offset just past the first question
};

Result<Header> parse_header(std::span<const uint8_t> msg);
// Reads a (possibly compressed) name at `offset`; advances it past the
// name as it appears in place.
Result<std::string> read_name(std::span<const uint8_t> msg, size_t& offset);
// A standard query with exactly one question.
Result<Query> parse_query(std::span<const uint8_t> msg);

// Answers to `q`, echoing its id, RD and question. `ttl` in seconds.
std::vector<uint8_t> answer_a(const Query& q, const std::vector<Ipv4>& addresses, uint32_t ttl);
std::vector<uint8_t> answer_ptr(const Query& q, const std::string& name, uint32_t ttl);
std::vector<uint8_t> answer_empty(const Query& q, Rcode rcode);
// For input that did not parse as a query but has a header: FORMERR.
std::optional<std::vector<uint8_t>> formerr_for(std::span<const uint8_t> msg);

// A query for `name` (tests and the forwarder's health checks).
std::vector<uint8_t> build_query(uint16_t id, const std::string& name, uint16_t type);

// "2.0.18.172.in-addr.arpa" -> 172.18.0.2.
std::optional<Ipv4> parse_reverse_name(const std::string& name);

}  // namespace berth::net::dns
