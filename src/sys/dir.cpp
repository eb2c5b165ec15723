#include "sys/dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <string_view>

namespace berth::sys {

Result<std::vector<std::string>> list_dir(int dirfd) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open directory");
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return sys_error("fdopendir");
  }
  std::vector<std::string> out;
  while (auto* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") out.emplace_back(n);
  }
  ::closedir(d);
  return out;
}

}  // namespace berth::sys
