// UniqueFd: the one owner of a file descriptor. Move-only; closes on
// destruction. Every fd berth opens is O_CLOEXEC so no child inherits one
// by accident (the CVE-2024-21626 class starts with a leaked fd).
#pragma once

#include <utility>

#include "base/error.hpp"

namespace berth {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing.
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }
  // Closes the current fd (if any) and takes `fd`.
  void reset(int fd = -1);

  // A new owner of the same open file description, O_CLOEXEC.
  Result<UniqueFd> dup() const;

 private:
  int fd_ = -1;
};

// pipe2(O_CLOEXEC): {read end, write end}.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> make_pipe(int extra_flags = 0);

// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC).
Result<std::pair<UniqueFd, UniqueFd>> make_socketpair(int type = 1 /*SOCK_STREAM*/);

}  // namespace berth
