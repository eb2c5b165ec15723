// The embedded DNS server on loopback addresses (no root): local answers,
// forwarding to an upstream, TCP, and refusing clients of other networks.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/unique_fd.hpp"
#include "net/dns/message.hpp"
#include "net/dns/server.hpp"

namespace berth::net::dns {
namespace {

uint16_t free_port() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

// One UDP exchange from `from` to `to:port`; empty on timeout.
std::vector<uint8_t> ask(const char* from, const char* to, uint16_t port,
                         const std::vector<uint8_t>& query) {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = Ipv4::parse(from)->to_be();
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(to)->to_be();
  ::sendto(s.get(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  pollfd p{s.get(), POLLIN, 0};
  if (::poll(&p, 1, 3000) != 1) return {};
  std::vector<uint8_t> buf(4096);
  ssize_t n = ::recv(s.get(), buf.data(), buf.size(), 0);
  buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return buf;
}

std::vector<uint8_t> ask_tcp(const char* to, uint16_t port, const std::vector<uint8_t>& query) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = Ipv4::parse(to)->to_be();
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return {};
  std::vector<uint8_t> framed{0, static_cast<uint8_t>(query.size())};
  framed.insert(framed.end(), query.begin(), query.end());
  ::send(s.get(), framed.data(), framed.size(), 0);
  std::vector<uint8_t> buf(4096);
  size_t have = 0;
  timeval tv{3, 0};
  ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (true) {
    ssize_t n = ::recv(s.get(), buf.data() + have, buf.size() - have, 0);
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    if (have >= 2 && have >= 2u + ((buf[0] << 8) | buf[1])) break;
  }
  if (have < 2) return {};
  return std::vector<uint8_t>(buf.begin() + 2, buf.begin() + static_cast<long>(have));
}

std::vector<std::string> a_records(const std::vector<uint8_t>& resp) {
  std::vector<std::string> out;
  auto h = parse_header(resp);
  if (!h) return out;
  size_t off = 12;
  (void)read_name(resp, off);
  off += 4;
  for (int i = 0; i < h->ancount; ++i) {
    (void)read_name(resp, off);
    uint16_t type = static_cast<uint16_t>((resp[off] << 8) | resp[off + 1]);
    uint16_t rdlen = static_cast<uint16_t>((resp[off + 8] << 8) | resp[off + 9]);
    off += 10;
    if (type == kTypeA && rdlen == 4)
      out.push_back(Ipv4{static_cast<uint32_t>((resp[off] << 24) | (resp[off + 1] << 16) |
                                               (resp[off + 2] << 8) | resp[off + 3])}
                        .str());
    off += rdlen;
  }
  return out;
}

TEST(DnsServer, AnswersForwardsAndIsolates) {
  uint16_t up_port = free_port(), port = free_port();
  // "The internet": an upstream that knows one name.
  auto upstream = Server::start({});
  ASSERT_TRUE(upstream);
  NetworkConfig up{"up", Ipv4::parse("127.0.0.2").value(), up_port,
                   Subnet::parse("127.0.0.0/8").value(), false};
  ASSERT_TRUE((*upstream)->add_network(up));
  ASSERT_TRUE(
      (*upstream)->set_entries("up", {{"", {"example.test"}, *Ipv4::parse("192.0.2.10"), {}}}));

  auto server = Server::start({Upstream{Ipv4::parse("127.0.0.2").value(), up_port}});
  ASSERT_TRUE(server);
  NetworkConfig app{"app", Ipv4::parse("127.0.0.3").value(), port,
                    Subnet::parse("127.0.0.0/24").value(), false};
  ASSERT_TRUE((*server)->add_network(app));
  ASSERT_TRUE((*server)->set_entries(
      "app", {{"0123456789abcdef", {"db", "Database"}, *Ipv4::parse("172.18.0.2"), {}},
              {"fedcba9876543210", {"web", "pool"}, *Ipv4::parse("172.18.0.3"), {}},
              {"aaaaaaaaaaaaaaaa", {"web2", "pool"}, *Ipv4::parse("172.18.0.4"), {}}}));

  auto r = ask("127.0.0.9", "127.0.0.3", port, build_query(1, "db", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.2"});
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(2, "DATABASE", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.2"});
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(3, "0123456789ab", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.2"});
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(4, "pool", kTypeA));
  EXPECT_EQ(a_records(r), (std::vector<std::string>{"172.18.0.3", "172.18.0.4"}));
  // AAAA for a known name: empty NOERROR, not forwarded.
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(5, "db", kTypeAaaa));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(parse_header(r)->rcode(), Rcode::NoError);
  EXPECT_EQ(parse_header(r)->ancount, 0);
  // Unknown names go upstream and come back with the client's id.
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(6, "example.test", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(parse_header(r)->id, 6);
  // Over TCP too.
  r = ask_tcp("127.0.0.3", port, build_query(7, "web", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.3"});
  r = ask_tcp("127.0.0.3", port, build_query(8, "example.test", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"192.0.2.10"});
  // A client outside the network's subnet is refused.
  r = ask("127.0.1.9", "127.0.0.3", port, build_query(9, "db", kTypeA));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(parse_header(r)->rcode(), Rcode::Refused);
  EXPECT_TRUE(a_records(r).empty());
  // Garbage gets FORMERR or nothing, and the server keeps serving.
  (void)ask("127.0.0.9", "127.0.0.3", port, {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12});
  r = ask("127.0.0.9", "127.0.0.3", port, build_query(10, "db", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.2"});
  // Removing the network closes its sockets (the port can be bound again).
  ASSERT_TRUE((*server)->remove_network("app"));
  ASSERT_TRUE((*server)->add_network(app));
}

TEST(DnsServer, InternalNetworksDoNotForwardAndDeadUpstreamsFail) {
  uint16_t port = free_port(), dead = free_port();
  auto server = Server::start({Upstream{Ipv4::parse("127.0.0.2").value(), dead}});
  ASSERT_TRUE(server);
  NetworkConfig internal{"int", Ipv4::parse("127.0.0.4").value(), port,
                         Subnet::parse("127.0.0.0/24").value(), true};
  ASSERT_TRUE((*server)->add_network(internal));
  auto r = ask("127.0.0.9", "127.0.0.4", port, build_query(1, "example.test", kTypeA));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(parse_header(r)->rcode(), Rcode::ServFail);
  ASSERT_TRUE((*server)->remove_network("int"));
  internal.internal = false;
  ASSERT_TRUE((*server)->add_network(internal));
  // Nobody listens upstream: the ICMP refusal turns into SERVFAIL quickly.
  r = ask("127.0.0.9", "127.0.0.4", port, build_query(2, "example.test", kTypeA));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(parse_header(r)->rcode(), Rcode::ServFail);
}

}  // namespace
}  // namespace berth::net::dns

namespace berth::net::dns {
namespace {

TEST(DnsServer, QueriesThroughAnotherInterfaceAreRefused) {
  uint16_t port = free_port();
  auto server = Server::start({});
  ASSERT_TRUE(server);
  // The "bridge" is an interface the query cannot come through (it
  // arrives on lo): even from an address inside the subnet, it is refused.
  NetworkConfig c{"app", Ipv4::parse("127.0.0.5").value(), port,
                  Subnet::parse("127.0.0.0/8").value(), false, 999999};
  ASSERT_TRUE((*server)->add_network(c));
  ASSERT_TRUE((*server)->set_entries("app", {{"", {"db"}, *Ipv4::parse("172.18.0.2"), {}}}));
  auto r = ask("127.0.0.9", "127.0.0.5", port, build_query(1, "db", kTypeA));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(parse_header(r)->rcode(), Rcode::Refused);
  ASSERT_TRUE((*server)->remove_network("app"));
  c.ifindex = 1;  // lo: accepted
  ASSERT_TRUE((*server)->add_network(c));
  ASSERT_TRUE((*server)->set_entries("app", {{"", {"db"}, *Ipv4::parse("172.18.0.2"), {}}}));
  r = ask("127.0.0.9", "127.0.0.5", port, build_query(2, "db", kTypeA));
  EXPECT_EQ(a_records(r), std::vector<std::string>{"172.18.0.2"});
}

}  // namespace
}  // namespace berth::net::dns
