// berth-net-bench: the benchmarks' driver.
//
//   berth-net-bench manager HOST_NETNS DIR
//       Opens a network manager working in HOST_NETNS (state in DIR) and
//       reads commands from stdin, answering one line each:
//         prep ID               create the namespace file DIR/ID (untimed work)
//         connect ID [SPEC...]  connect it to "bridge" publishing SPECs;
//                               answers "ok IP total netns ipam veth inside nft dns" (us)
//         release ID            disconnect and delete the namespace
//   berth-net-bench sink PORT          accept TCP connections, discard bytes
//   berth-net-bench send IP PORT BYTES send BYTES, print seconds taken
//   berth-net-bench connections IP PORT N   N short connections (1 KiB each)
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.hpp"
#include "net/manager.hpp"
#include "net/netns.hpp"
#include "net/ports.hpp"

using namespace berth;
using namespace berth::net;

namespace {

int manager_loop(const std::string& host, const std::string& dir) {
  ManagerOptions o;
  o.db_path = dir + "/berth.db";
  o.host_netns_path = host;
  o.host_resolv_conf = "/dev/null";
  auto m = Manager::open(o);
  if (!m) {
    fmt::print("error {}\n", m.error().to_string());
    return 1;
  }
  fmt::print("ready\n");
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd, id;
    in >> cmd >> id;
    std::string path = dir + "/" + id;
    Result<std::string> answer = std::string("ok");
    if (cmd == "prep") {
      auto r = create_netns_file(path);
      if (!r) answer = tl::unexpected(r.error());
    } else if (cmd == "connect") {
      AttachRequest req;
      req.container_id = id;
      req.name = id;
      req.netns_path = path;
      for (std::string spec; in >> spec;) {
        auto p = parse_publish(spec);
        if (p) req.ports.push_back(*p);
      }
      SetupTimings t;
      auto ep = (*m)->connect("bridge", req, &t);
      if (!ep)
        answer = tl::unexpected(ep.error());
      else
        answer = fmt::format("ok {} {:.0f} {:.0f} {:.0f} {:.0f} {:.0f} {:.0f} {:.0f}", ep->ip.str(),
                             t.total_us, t.netns_us, t.ipam_us, t.veth_us, t.inside_us, t.nft_us,
                             t.dns_us);
    } else if (cmd == "release") {
      auto r = (*m)->release_container(id);
      auto r2 = remove_netns_file(path);
      if (!r)
        answer = tl::unexpected(r.error());
      else if (!r2)
        answer = tl::unexpected(r2.error());
    } else if (cmd == "quit") {
      break;
    } else {
      answer = make_error(ErrorCategory::InvalidArgument, "unknown command " + cmd);
    }
    if (answer)
      fmt::print("{}\n", *answer);
    else
      fmt::print("error {}\n", answer.error().to_string());
    std::fflush(stdout);
  }
  return 0;
}

int sink(uint16_t port) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(s.get(), 16)) {
    std::perror("sink");
    return 1;
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    UniqueFd c(::accept4(s.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) continue;
    while (::read(c.get(), buf.data(), buf.size()) > 0) {
    }
  }
}

int send_bytes(const char* ip, uint16_t port, uint64_t bytes) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &sa.sin_addr);
  auto start = std::chrono::steady_clock::now();
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    std::perror("connect");
    return 1;
  }
  std::vector<char> buf(1 << 20, 'x');
  uint64_t left = bytes;
  while (left > 0) {
    ssize_t n = ::write(s.get(), buf.data(), std::min<uint64_t>(left, buf.size()));
    if (n <= 0) {
      std::perror("write");
      return 1;
    }
    left -= static_cast<uint64_t>(n);
  }
  // Done when the far side has everything: half-close, wait for its close.
  ::shutdown(s.get(), SHUT_WR);
  char c;
  while (::read(s.get(), &c, 1) > 0) {
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:.6f}\n", secs);
  return 0;
}

int connections(const char* ip, uint16_t port, int n) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &sa.sin_addr);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      std::perror("connect");
      return 1;
    }
    char buf[1024] = {};
    if (::write(s.get(), buf, sizeof buf) != static_cast<ssize_t>(sizeof buf)) return 1;
    ::shutdown(s.get(), SHUT_WR);
    while (::read(s.get(), buf, sizeof buf) > 0) {
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:.6f}\n", secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "manager" && argc == 4) return manager_loop(argv[2], argv[3]);
  if (mode == "sink" && argc == 3) return sink(static_cast<uint16_t>(std::atoi(argv[2])));
  if (mode == "send" && argc == 5)
    return send_bytes(argv[2], static_cast<uint16_t>(std::atoi(argv[3])),
                      std::strtoull(argv[4], nullptr, 10));
  if (mode == "connections" && argc == 5)
    return connections(argv[2], static_cast<uint16_t>(std::atoi(argv[3])), std::atoi(argv[4]));
  std::fprintf(stderr, "usage: see the comment at the top of net_bench_tool.cpp\n");
  return 2;
}
