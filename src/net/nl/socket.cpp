#include "net/nl/socket.hpp"

#include <libmnl/libmnl.h>
#include <sys/socket.h>

#include <cstring>
#include <fmt/format.h>
#include <vector>

#include "net/netns.hpp"

namespace berth::net::nl {

namespace {

// Asks the kernel for extended acks (a text reason with EINVAL) and for
// strict checking of dump requests; both exist since Linux 4.12/4.20.
void enable_ext_ack(int fd) {
  int one = 1;
  (void)::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  (void)::setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
}

// The kernel's NLMSGERR_ATTR_MSG, when present, says which attribute it
// refused; it is far more useful than a bare EINVAL.
std::string ext_ack_text(const nlmsghdr* nlh) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  size_t offset = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
  std::string text;
  mnl_attr_parse(
      nlh, static_cast<unsigned>(offset),
      [](const nlattr* a, void* out) -> int {
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
          *static_cast<std::string*>(out) = mnl_attr_get_str(a);
        return MNL_CB_OK;
      },
      &text);
  return text;
}

}  // namespace

Result<Socket> Socket::open() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return sys_error("netlink socket");
  return adopt(UniqueFd(fd));
}

Result<Socket> Socket::adopt(UniqueFd fd) {
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("bind netlink socket");
  enable_ext_ack(fd.get());
  return Socket(std::move(fd));
}

Result<Socket> Socket::open_in(int netns_fd) {
  auto fd = TRY(run_in_netns(netns_fd, []() -> Result<UniqueFd> {
    int raw = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (raw < 0) return sys_error("netlink socket");
    return UniqueFd(raw);
  }));
  return adopt(std::move(fd));
}

Result<> Socket::send(Message& msg) {
  msg.header()->nlmsg_seq = seq_++;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n = ::sendto(fd_.get(), msg.data(), msg.size(), 0,
                       reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  if (n < 0) return sys_error("send netlink request");
  return ok();
}

Result<> Socket::request(Message& msg, std::string_view what) {
  TRY_CTX(send(msg), std::string(what));
  uint32_t seq = msg.header()->nlmsg_seq;
  std::vector<uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(fmt::format("{}: receive ack", what));
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (err->error == 0) return ok();
      auto reason = ext_ack_text(nlh);
      auto message = reason.empty() ? std::string(what) : fmt::format("{} ({})", what, reason);
      return sys_error(message, -err->error);
    }
  }
}

Result<> Socket::dump(Message& msg, const std::function<void(const nlmsghdr*)>& on_msg) {
  TRY(send(msg));
  uint32_t seq = msg.header()->nlmsg_seq;
  // Dumps of a busy host's routes can be large; 32 KiB per read is what
  // iproute2 uses.
  std::vector<uint8_t> buf(32768);
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("receive netlink dump");
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != seq) continue;
      if (nlh->nlmsg_type == NLMSG_DONE) return ok();
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        if (err->error == 0) return ok();
        return sys_error("netlink dump", -err->error);
      }
      on_msg(nlh);
    }
  }
}

}  // namespace berth::net::nl
