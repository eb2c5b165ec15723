#include "net/dns/server.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <variant>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "net/dns/message.hpp"

namespace berth::net::dns {

Result<Upstream> Upstream::parse(std::string_view text) {
  auto [ip, port, has_port] = split_once(text, ':');
  Upstream u;
  u.ip = TRY(Ipv4::parse(ip));
  if (has_port) u.port = TRY(parse_int<uint16_t>(port));
  return u;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kForwardTimeout = std::chrono::seconds(2);
constexpr auto kTcpIdle = std::chrono::seconds(10);
constexpr uint32_t kTtl = 600;  // Docker's TTL for container records
constexpr size_t kMaxUdpAnswers = 16;

sockaddr_in to_sockaddr(Ipv4 ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = ip.to_be();
  return sa;
}

Result<UniqueFd> bound_socket(int type, const NetworkConfig& c) {
  int raw = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (raw < 0) return sys_error("dns socket");
  UniqueFd fd(raw);
  int one = 1;
  (void)::setsockopt(raw, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // The bridge address may still be settling (DAD-free for IPv4, but the
  // bridge can be down): bind anyway and receive once it is up.
  (void)::setsockopt(raw, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  auto sa = to_sockaddr(c.listen, c.port);
  if (::bind(raw, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return sys_error("bind dns " + c.listen.str() + ":" + std::to_string(c.port));
  if (type == SOCK_STREAM && ::listen(raw, 64) != 0) return sys_error("listen dns tcp");
  // Tells us which interface each datagram came in through.
  if (type == SOCK_DGRAM) (void)::setsockopt(raw, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  return fd;
}

struct Net {
  NetworkConfig config;
  UniqueFd udp, tcp;
  std::vector<Entry> entries;
};

struct TcpConn {
  UniqueFd fd;
  std::string net_id;
  std::vector<uint8_t> buf;
  Clock::time_point deadline;
};

struct Pending {
  UniqueFd fd;
  std::string net_id;
  sockaddr_in client{};
  int tcp_fd = -1;  // reply over this connection instead of UDP
  std::vector<uint8_t> query;
  Query parsed;
  std::vector<Upstream> upstreams;
  size_t next = 0;
  Clock::time_point deadline;
};

struct Reply {
  std::vector<uint8_t> bytes;
};
struct Forward {
  Query query;
  std::vector<Upstream> upstreams;
};
using Decision = std::variant<std::monostate, Reply, Forward>;

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(std::vector<Upstream> defaults) : defaults_(std::move(defaults)) {}
  ~ServerImpl() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake();
    if (thread_.joinable()) thread_.join();
  }

  Result<> init() {
    int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) return sys_error("eventfd");
    wake_fd_.reset(efd);
    thread_ = std::thread([this] { loop(); });
    return ok();
  }

  Result<> add_network(const NetworkConfig& c) override {
    return command([this, c]() -> Result<> {
      if (nets_.contains(c.id)) return ok();
      Net n{c, TRY(bound_socket(SOCK_DGRAM, c)), TRY(bound_socket(SOCK_STREAM, c)), {}};
      nets_.emplace(c.id, std::move(n));
      return ok();
    });
  }

  Result<> remove_network(const std::string& id) override {
    return command([this, id]() -> Result<> {
      nets_.erase(id);
      std::erase_if(conns_, [&](const auto& kv) { return kv.second.net_id == id; });
      std::erase_if(pending_, [&](const auto& kv) { return kv.second.net_id == id; });
      return ok();
    });
  }

  Result<> set_entries(const std::string& id, std::vector<Entry> entries) override {
    for (auto& e : entries)
      for (auto& n : e.names) n = to_lower(n);
    return command([this, id, entries = std::move(entries)]() mutable -> Result<> {
      auto it = nets_.find(id);
      if (it == nets_.end())
        return make_error(ErrorCategory::NotFound, "dns: network " + id + " not served");
      it->second.entries = std::move(entries);
      return ok();
    });
  }

  Result<> set_default_upstreams(std::vector<Upstream> ups) override {
    return command([this, ups = std::move(ups)]() mutable -> Result<> {
      defaults_ = std::move(ups);
      return ok();
    });
  }

 private:
  // Runs `fn` on the serving thread and waits for its result, so every
  // piece of server state is touched by one thread only.
  Result<> command(std::function<Result<>()> fn) {
    auto task = std::make_shared<std::packaged_task<Result<>()>>(std::move(fn));
    auto done = task->get_future();
    {
      std::lock_guard lock(mu_);
      commands_.push_back([task] { (*task)(); });
    }
    wake();
    return done.get();
  }

  void wake() {
    uint64_t one = 1;
    (void)!::write(wake_fd_.get(), &one, sizeof one);
  }

  void run_commands() {
    uint64_t n;
    (void)!::read(wake_fd_.get(), &n, sizeof n);
    std::deque<std::function<void()>> todo;
    {
      std::lock_guard lock(mu_);
      todo.swap(commands_);
    }
    for (auto& c : todo) c();
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stop_;
  }

  void loop() {
    while (!stopping()) {
      std::vector<pollfd> fds{{wake_fd_.get(), POLLIN, 0}};
      for (auto& [id, n] : nets_) {
        fds.push_back({n.udp.get(), POLLIN, 0});
        fds.push_back({n.tcp.get(), POLLIN, 0});
      }
      for (auto& [fd, c] : conns_) fds.push_back({fd, POLLIN, 0});
      for (auto& [fd, p] : pending_) fds.push_back({fd, POLLIN, 0});
      int rc = ::poll(fds.data(), fds.size(), 250);
      if (rc < 0 && errno != EINTR) {
        log::error("dns: poll failed", {{"errno", errno}});
        return;
      }
      for (const auto& p : fds)
        if (p.revents) dispatch(p.fd);
      expire();
    }
  }

  void dispatch(int fd) {
    if (fd == wake_fd_.get()) return run_commands();
    for (auto& [id, n] : nets_) {
      if (fd == n.udp.get()) return serve_udp(n);
      if (fd == n.tcp.get()) return accept_tcp(n);
    }
    if (auto c = conns_.find(fd); c != conns_.end()) return read_tcp(c->second);
    if (auto p = pending_.find(fd); p != pending_.end()) return upstream_reply(p->second);
  }

  // ---- answering -----------------------------------------------------

  std::vector<Ipv4> lookup(const Net& n, const std::string& name) const {
    std::vector<Ipv4> out;
    for (const auto& e : n.entries) {
      bool match = e.container_id.size() >= 12 && name == e.container_id.substr(0, 12);
      for (const auto& alias : e.names) match = match || alias == name;
      if (match && std::find(out.begin(), out.end(), e.ip) == out.end()) out.push_back(e.ip);
    }
    return out;
  }

  std::vector<Upstream> upstreams_for(const Net& n, Ipv4 client) const {
    for (const auto& e : n.entries)
      if (e.ip == client && !e.upstreams.empty()) return e.upstreams;
    return defaults_;
  }

  Decision decide(const Net& n, std::span<const uint8_t> msg, Ipv4 client, bool udp) {
    if (!n.config.subnet.contains(client)) {
      auto q = parse_query(msg);
      if (!q) return std::monostate{};
      return Reply{answer_empty(*q, Rcode::Refused)};
    }
    auto q = parse_query(msg);
    if (!q) {
      if (auto f = formerr_for(msg)) return Reply{*f};
      return std::monostate{};
    }
    const auto& question = q->question;
    if (q->header.opcode() != 0 || question.klass != kClassIn)
      return Reply{answer_empty(*q, Rcode::Refused)};
    if (question.type == kTypePtr) {
      if (auto ip = parse_reverse_name(question.name))
        for (const auto& e : n.entries)
          if (e.ip == *ip && !e.names.empty()) return Reply{answer_ptr(*q, e.names[0], kTtl)};
    } else {
      auto ips = lookup(n, question.name);
      if (!ips.empty()) {
        if (question.type != kTypeA) return Reply{answer_empty(*q, Rcode::NoError)};
        if (udp && ips.size() > kMaxUdpAnswers) ips.resize(kMaxUdpAnswers);
        return Reply{answer_a(*q, ips, kTtl)};
      }
    }
    if (n.config.internal) return Reply{answer_empty(*q, Rcode::ServFail)};
    auto ups = upstreams_for(n, client);
    if (ups.empty()) return Reply{answer_empty(*q, Rcode::ServFail)};
    return Forward{*q, std::move(ups)};
  }

  // recvmsg with IP_PKTINFO: the datagram, its sender and the index of
  // the interface it arrived on (-1 if the kernel did not say).
  static ssize_t receive(int fd, uint8_t* buf, size_t size, sockaddr_in& client, int& ifindex) {
    iovec iov{buf, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    msghdr mh{};
    mh.msg_name = &client;
    mh.msg_namelen = sizeof client;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    ssize_t got = ::recvmsg(fd, &mh, 0);
    ifindex = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); got > 0 && c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        ifindex = info.ipi_ifindex;
      }
    }
    return got;
  }

  void serve_udp(Net& n) {
    uint8_t buf[4096];
    for (int i = 0; i < 64; ++i) {
      sockaddr_in client{};
      socklen_t len = sizeof client;
      int ifindex = -1;
      ssize_t got = receive(n.udp.get(), buf, sizeof buf, client, ifindex);
      if (got <= 0) return;
      std::span<const uint8_t> msg(buf, static_cast<size_t>(got));
      Ipv4 source = Ipv4::from_be(client.sin_addr.s_addr);
      // Arrived through another bridge: answered as a stranger (REFUSED).
      if (n.config.ifindex > 0 && ifindex != n.config.ifindex) source = Ipv4{};
      auto d = decide(n, msg, source, true);
      if (auto* r = std::get_if<Reply>(&d)) {
        (void)::sendto(n.udp.get(), r->bytes.data(), r->bytes.size(), 0,
                       reinterpret_cast<sockaddr*>(&client), len);
      } else if (auto* f = std::get_if<Forward>(&d)) {
        start_forward(n, std::vector<uint8_t>(msg.begin(), msg.end()), std::move(*f), client, -1);
      }
    }
  }

  void accept_tcp(Net& n) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(n.tcp.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    UniqueFd owned(fd);
    if (!n.config.subnet.contains(Ipv4::from_be(peer.sin_addr.s_addr))) return;  // closes
    conns_.emplace(fd, TcpConn{std::move(owned), n.config.id, {}, Clock::now() + kTcpIdle});
  }

  void send_tcp(int fd, const std::vector<uint8_t>& bytes) {
    std::vector<uint8_t> framed{static_cast<uint8_t>(bytes.size() >> 8),
                                static_cast<uint8_t>(bytes.size())};
    framed.insert(framed.end(), bytes.begin(), bytes.end());
    (void)::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  void read_tcp(TcpConn& c) {
    uint8_t buf[4096];
    ssize_t got = ::recv(c.fd.get(), buf, sizeof buf, 0);
    int fd = c.fd.get();
    if (got <= 0 || c.buf.size() > 65535 + 2) {
      if (got < 0 && errno == EAGAIN) return;
      conns_.erase(fd);
      return;
    }
    c.buf.insert(c.buf.end(), buf, buf + got);
    c.deadline = Clock::now() + kTcpIdle;
    auto net = nets_.find(c.net_id);
    if (net == nets_.end()) return;
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len);
    while (c.buf.size() >= 2) {
      size_t mlen = (static_cast<size_t>(c.buf[0]) << 8) | c.buf[1];
      if (c.buf.size() < 2 + mlen) break;
      std::vector<uint8_t> msg(c.buf.begin() + 2, c.buf.begin() + 2 + static_cast<long>(mlen));
      c.buf.erase(c.buf.begin(), c.buf.begin() + 2 + static_cast<long>(mlen));
      auto d = decide(net->second, msg, Ipv4::from_be(peer.sin_addr.s_addr), false);
      if (auto* r = std::get_if<Reply>(&d))
        send_tcp(fd, r->bytes);
      else if (auto* f = std::get_if<Forward>(&d))
        start_forward(net->second, std::move(msg), std::move(*f), peer, fd);
    }
  }

  // ---- forwarding ----------------------------------------------------

  bool send_upstream(Pending& p) {
    while (p.next < p.upstreams.size()) {
      const auto& up = p.upstreams[p.next++];
      int raw = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (raw < 0) continue;
      UniqueFd fd(raw);
      auto sa = to_sockaddr(up.ip, up.port);
      if (::connect(raw, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) continue;
      if (::send(raw, p.query.data(), p.query.size(), 0) < 0) continue;
      p.fd = std::move(fd);
      p.deadline = Clock::now() + kForwardTimeout;
      return true;
    }
    return false;
  }

  void reply_to_client(const Pending& p, const std::vector<uint8_t>& bytes) {
    if (p.tcp_fd >= 0) {
      if (conns_.contains(p.tcp_fd)) send_tcp(p.tcp_fd, bytes);
      return;
    }
    auto net = nets_.find(p.net_id);
    if (net == nets_.end()) return;
    (void)::sendto(net->second.udp.get(), bytes.data(), bytes.size(), 0,
                   reinterpret_cast<const sockaddr*>(&p.client), sizeof p.client);
  }

  void start_forward(Net& n, std::vector<uint8_t> query, Forward f, sockaddr_in client,
                     int tcp_fd) {
    Pending p;
    p.net_id = n.config.id;
    p.client = client;
    p.tcp_fd = tcp_fd;
    p.query = std::move(query);
    p.parsed = std::move(f.query);
    p.upstreams = std::move(f.upstreams);
    if (!send_upstream(p)) return reply_to_client(p, answer_empty(p.parsed, Rcode::ServFail));
    int fd = p.fd.get();
    pending_.emplace(fd, std::move(p));
  }

  void upstream_reply(Pending& p) {
    uint8_t buf[65536];
    ssize_t got = ::recv(p.fd.get(), buf, sizeof buf, 0);
    int fd = p.fd.get();
    if (got < 0 && errno == EAGAIN) return;
    std::span<const uint8_t> msg(buf, got > 0 ? static_cast<size_t>(got) : 0);
    auto h = parse_header(msg);
    // Only the answer to our question, from the server we asked (the
    // socket is connected), is relayed.
    if (!h || !h->is_response() || h->id != p.parsed.header.id) {
      if (got < 0) retry_or_fail(fd);  // ICMP refused: next upstream
      return;
    }
    reply_to_client(p, std::vector<uint8_t>(msg.begin(), msg.end()));
    pending_.erase(fd);
  }

  void retry_or_fail(int fd) {
    auto node = pending_.extract(fd);
    Pending& p = node.mapped();
    if (send_upstream(p)) {
      int nfd = p.fd.get();
      pending_.emplace(nfd, std::move(p));
      return;
    }
    reply_to_client(p, answer_empty(p.parsed, Rcode::ServFail));
  }

  void expire() {
    auto now = Clock::now();
    std::vector<int> late;
    for (auto& [fd, p] : pending_)
      if (p.deadline <= now) late.push_back(fd);
    for (int fd : late) retry_or_fail(fd);
    std::erase_if(conns_, [&](const auto& kv) { return kv.second.deadline <= now; });
  }

  std::vector<Upstream> defaults_;
  std::thread thread_;
  UniqueFd wake_fd_;
  std::mutex mu_;
  std::deque<std::function<void()>> commands_;
  bool stop_ = false;
  std::map<std::string, Net> nets_;
  std::map<int, TcpConn> conns_;
  std::map<int, Pending> pending_;
};

}  // namespace

Result<std::unique_ptr<Server>> Server::start(std::vector<Upstream> default_upstreams) {
  auto s = std::make_unique<ServerImpl>(std::move(default_upstreams));
  TRY(s->init());
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace berth::net::dns
