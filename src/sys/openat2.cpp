#include "sys/openat2.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace berth::sys {

Result<UniqueFd> openat2(int dirfd, const std::string& path, uint64_t flags, mode_t mode,
                         uint64_t resolve) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  // The kernel rejects a mode unless the open may create the file.
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if ((errno == EAGAIN && attempt < 64) || errno == EINTR) continue;
    return sys_error("openat2 " + path);
  }
}

Result<UniqueFd> open_in_root(int root_fd, const std::string& path, uint64_t flags, mode_t mode,
                              uint64_t extra_resolve) {
  return openat2(root_fd, path, flags, mode,
                 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve);
}

}  // namespace berth::sys
