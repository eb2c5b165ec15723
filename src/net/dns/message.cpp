#include "net/dns/message.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace berth::net::dns {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr int kMaxPointers = 16;
constexpr size_t kMaxName = 255;

Unexpected malformed(std::string_view why) {
  return make_error(ErrorCategory::InvalidArgument, fmt::format("malformed DNS message: {}", why));
}

uint16_t get16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>((m[at] << 8) | m[at + 1]);
}

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

void put_name(std::vector<uint8_t>& out, const std::string& name) {
  for (const auto& label : split(name, '.')) {
    if (label.empty()) continue;
    out.push_back(static_cast<uint8_t>(std::min<size_t>(label.size(), 63)));
    out.insert(out.end(), label.begin(), label.begin() + std::min<size_t>(label.size(), 63));
  }
  out.push_back(0);
}

// Header + the original question, flags set for a response.
std::vector<uint8_t> response_start(const Query& q, Rcode rcode, uint16_t ancount) {
  std::vector<uint8_t> out;
  put16(out, q.header.id);
  // QR=1, opcode 0, AA=0, RD copied, RA=1 (we recurse by forwarding).
  uint16_t flags = 0x8000 | (q.header.flags & 0x0100) | 0x0080 | static_cast<uint16_t>(rcode);
  put16(out, flags);
  put16(out, 1);
  put16(out, ancount);
  put16(out, 0);
  put16(out, 0);
  put_name(out, q.question.name);
  put16(out, q.question.type);
  put16(out, q.question.klass);
  return out;
}

// Answer owner names point back at the question (offset 12).
void put_answer_header(std::vector<uint8_t>& out, uint16_t type, uint32_t ttl, uint16_t rdlen) {
  put16(out, 0xc00c);
  put16(out, type);
  put16(out, kClassIn);
  put32(out, ttl);
  put16(out, rdlen);
}

}  // namespace

Result<Header> parse_header(std::span<const uint8_t> m) {
  if (m.size() < kHeaderSize) return malformed("shorter than a header");
  return Header{get16(m, 0), get16(m, 2), get16(m, 4), get16(m, 6), get16(m, 8), get16(m, 10)};
}

Result<std::string> read_name(std::span<const uint8_t> m, size_t& offset) {
  std::string name;
  size_t at = offset;
  bool jumped = false;
  int pointers = 0;
  for (;;) {
    if (at >= m.size()) return malformed("name runs past the end");
    uint8_t len = m[at];
    if ((len & 0xc0) == 0xc0) {
      if (at + 1 >= m.size()) return malformed("truncated pointer");
      if (++pointers > kMaxPointers) return malformed("compression loop");
      size_t target = static_cast<size_t>(get16(m, at) & 0x3fff);
      if (!jumped) offset = at + 2;
      jumped = true;
      // Pointers must go backwards; that alone rules out most loops.
      if (target >= at) return malformed("forward compression pointer");
      at = target;
      continue;
    }
    if (len & 0xc0) return malformed("reserved label type");
    if (len == 0) {
      if (!jumped) offset = at + 1;
      return name;
    }
    if (at + 1 + len > m.size()) return malformed("label runs past the end");
    if (!name.empty()) name += '.';
    for (size_t i = 0; i < len; ++i) {
      char c = static_cast<char>(m[at + 1 + i]);
      name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (name.size() > kMaxName) return malformed("name too long");
    at += 1 + len;
  }
}

Result<Query> parse_query(std::span<const uint8_t> m) {
  Query q;
  q.header = TRY(parse_header(m));
  if (q.header.is_response()) return malformed("not a query");
  if (q.header.qdcount != 1) return malformed("expected one question");
  size_t offset = kHeaderSize;
  q.question.name = TRY(read_name(m, offset));
  if (offset + 4 > m.size()) return malformed("truncated question");
  q.question.type = get16(m, offset);
  q.question.klass = get16(m, offset + 2);
  q.question_end = offset + 4;
  return q;
}

std::vector<uint8_t> answer_a(const Query& q, const std::vector<Ipv4>& addresses, uint32_t ttl) {
  auto out = response_start(q, Rcode::NoError, static_cast<uint16_t>(addresses.size()));
  for (const auto& ip : addresses) {
    put_answer_header(out, kTypeA, ttl, 4);
    auto b = ip.bytes();
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

std::vector<uint8_t> answer_ptr(const Query& q, const std::string& name, uint32_t ttl) {
  auto out = response_start(q, Rcode::NoError, 1);
  std::vector<uint8_t> rdata;
  put_name(rdata, name);
  put_answer_header(out, kTypePtr, ttl, static_cast<uint16_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

std::vector<uint8_t> answer_empty(const Query& q, Rcode rcode) {
  return response_start(q, rcode, 0);
}

std::optional<std::vector<uint8_t>> formerr_for(std::span<const uint8_t> m) {
  auto h = parse_header(m);
  if (!h || h->is_response()) return std::nullopt;
  std::vector<uint8_t> out;
  put16(out, h->id);
  put16(out, static_cast<uint16_t>(0x8000 | (h->flags & 0x0100) | 0x0080 |
                                   static_cast<uint16_t>(Rcode::FormErr)));
  for (int i = 0; i < 4; ++i) put16(out, 0);
  return out;
}

std::vector<uint8_t> build_query(uint16_t id, const std::string& name, uint16_t type) {
  std::vector<uint8_t> out;
  put16(out, id);
  put16(out, 0x0100);  // RD
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);
  put_name(out, name);
  put16(out, type);
  put16(out, kClassIn);
  return out;
}

std::optional<Ipv4> parse_reverse_name(const std::string& name) {
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (!name.ends_with(kSuffix)) return std::nullopt;
  auto parts = split(name.substr(0, name.size() - kSuffix.size()), '.');
  if (parts.size() != 4) return std::nullopt;
  auto ip = Ipv4::parse(fmt::format("{}.{}.{}.{}", parts[3], parts[2], parts[1], parts[0]));
  if (!ip) return std::nullopt;
  return *ip;
}

}  // namespace berth::net::dns
