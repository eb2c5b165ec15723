// Container output to the terminal: framed (stdcopy) or raw (TTY).
#pragma once

#include <string_view>

#include "api/stdcopy.hpp"
#include "base/error.hpp"

namespace berth::cli {

// Writes all of `data` to fd (EINTR/short writes handled).
Result<> write_all(int fd, std::string_view data);

class OutputDemux {
 public:
  explicit OutputDemux(bool tty) : tty_(tty) {}
  // Routes stream 1 (and 0) to stdout, 2 to stderr; stream 3 (a daemon
  // error inside the stream) becomes the error.
  Result<> feed(std::string_view bytes);

 private:
  bool tty_;
  api::FrameDecoder decoder_;
};

}  // namespace berth::cli
