// Fuzz target: the embedded DNS server's parser, on bytes a container
// controls. Every parse must terminate without reading out of bounds; a
// parsed query must round-trip through the answer builders.
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::net::dns;
  std::span<const uint8_t> msg(data, size);
  auto q = parse_query(msg);
  if (q) {
    auto a = answer_a(*q, {berth::net::Ipv4{0x0a000002}}, 600);
    auto again = parse_header(a);
    if (!again || again->id != q->header.id) __builtin_trap();
    (void)answer_empty(*q, Rcode::NxDomain);
    (void)parse_reverse_name(q->question.name);
  } else {
    (void)formerr_for(msg);
  }
  // Names at every offset, as a compressed answer would point at them.
  for (size_t off = 0; off < size && off < 64; ++off) {
    size_t at = off;
    (void)read_name(msg, at);
  }
  return 0;
}
