// A NETLINK_ROUTE socket: sends one request, waits for its ack (with the
// kernel's extended error message when it gives one) or collects a dump.
// A socket belongs to the network namespace it was created in, for its
// whole life; that is how berth operates inside a container's namespace
// without moving any thread of the daemon (see netns.hpp).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "net/nl/message.hpp"

namespace berth::net::nl {

class Socket {
 public:
  // A socket in the calling thread's network namespace.
  static Result<Socket> open();
  // A socket created in the namespace behind `netns_fd` (a /proc/<pid>/ns/net
  // or bind-mounted nsfs file), made on a short-lived thread so the caller
  // never changes namespace.
  static Result<Socket> open_in(int netns_fd);
  static Result<Socket> adopt(UniqueFd fd);

  // Sends `msg` and waits for the ack. `what` names the operation in errors.
  Result<> request(Message& msg, std::string_view what);
  // Sends a dump request and calls `on_msg` for every reply message.
  Result<> dump(Message& msg, const std::function<void(const nlmsghdr*)>& on_msg);

  int fd() const { return fd_.get(); }

 private:
  explicit Socket(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<> send(Message& msg);
  uint32_t seq_ = 1;
  UniqueFd fd_;
};

}  // namespace berth::net::nl
