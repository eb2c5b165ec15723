// The parent <-> container-init handshake: short text messages (and an fd
// for the PTY master) over an AF_UNIX SOCK_SEQPACKET pair, so each message
// arrives whole and a dead peer reads as EOF ("").
//
// create:  parent "go" (maps written, cgroup joined) -> child sets up the
//          rootfs -> child "hooks" -> parent runs prestart/createRuntime
//          -> parent "go" -> child pivots, finishes -> [child "pty" + fd]
//          -> child "ready" -> parent writes state.json and returns.
// A child failure at any step is "error:<message>" and the child exits.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::runtime {

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  static Result<std::pair<SyncChannel, SyncChannel>> make_pair();

  Result<> send(std::string_view message) const;
  Result<> send_with_fd(std::string_view message, int fd) const;
  // "" when the peer closed its end. `fd` receives a passed descriptor.
  Result<std::string> recv(UniqueFd* fd = nullptr) const;
  // recv, turning "error:<m>" into an Error and anything but `want` into one.
  Result<> expect(std::string_view want, UniqueFd* fd = nullptr) const;

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace berth::runtime
