#include "cli/streams.hpp"

#include <unistd.h>

namespace berth::cli {

Result<> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return sys_error("write");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Result<> OutputDemux::feed(std::string_view bytes) {
  if (tty_) return write_all(1, bytes);
  for (auto& f : TRY(decoder_.feed(bytes))) {
    if (f.stream == api::StdStream::Systemerr)
      return make_error(ErrorCategory::Internal, "Error grabbing logs: " + f.data);
    TRY(write_all(f.stream == api::StdStream::Stderr ? 2 : 1, f.data));
  }
  return ok();
}

}  // namespace berth::cli
