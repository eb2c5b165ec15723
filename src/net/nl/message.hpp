// Netlink requests built as data. Every rtnetlink operation berth performs
// is first a byte buffer made here (with libmnl's attribute helpers), so
// unit tests can check the exact request without root (see describe()),
// and the socket layer only sends buffers and reads acks.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::net::nl {

class Message {
 public:
  // Starts a request of `type`; NLM_F_REQUEST | NLM_F_ACK are always set.
  Message(uint16_t type, uint16_t flags);

  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  Message(Message&&) = default;
  Message& operator=(Message&&) = default;

  // Reserves the family header (ifinfomsg, ifaddrmsg, rtmsg) zeroed.
  template <typename T>
  T* family_header() {
    return static_cast<T*>(put_extra(sizeof(T)));
  }

  void put_u8(uint16_t type, uint8_t v);
  void put_u16(uint16_t type, uint16_t v);
  void put_u32(uint16_t type, uint32_t v);
  void put_str(uint16_t type, std::string_view s);  // NUL-terminated
  void put_bytes(uint16_t type, const void* data, size_t len);
  // Nests return an opaque offset to pass to end_nest.
  size_t begin_nest(uint16_t type);
  void end_nest(size_t start);
  // A nested ifinfomsg (veth peers carry one before their attributes).
  void* put_raw(size_t len);

  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  const nlmsghdr* header() const { return reinterpret_cast<const nlmsghdr*>(buf_.data()); }
  const uint8_t* data() const { return buf_.data(); }
  size_t size() const { return header()->nlmsg_len; }

 private:
  void* put_extra(size_t len);
  std::vector<uint8_t> buf_;
};

// A stable, readable rendering of an rtnetlink request for golden tests and
// debug logs: message type, flags, the family header and every attribute
// (nested attributes indented). Strings print as "text", other payloads as
// integers or hex.
std::string describe(const uint8_t* data, size_t len);
inline std::string describe(const Message& m) { return describe(m.data(), m.size()); }

}  // namespace berth::net::nl
