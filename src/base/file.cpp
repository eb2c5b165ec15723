#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

namespace berth {

Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode) {
  return open_at(AT_FDCWD, path, flags, mode);
}

Result<UniqueFd> open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return sys_error("open " + path);
  return UniqueFd(fd);
}

Result<std::string> read_fd(int fd, size_t limit) {
  // Read straight into the string: a large buffer on the stack would make
  // every caller's stack a few pages deeper, and in short-lived processes
  // (the runtime, its init) each new page is a fault.
  std::string out(4096, '\0');
  size_t used = 0;
  while (true) {
    if (used == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read");
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (used > limit)
      return make_error(ErrorCategory::InvalidArgument,
                        "file larger than " + std::to_string(limit) + " bytes");
  }
  out.resize(used);
  return out;
}

Result<std::string> read_file(const std::string& path, size_t limit) {
  return read_file_at(AT_FDCWD, path, limit);
}

Result<std::string> read_file_at(int dirfd, const std::string& name, size_t limit) {
  auto fd = TRY(open_at(dirfd, name, O_RDONLY));
  return TRY_CTX(read_fd(fd.get(), limit), "read " + name);
}

Result<> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Result<> write_file_atomic_at(int dirfd, const std::string& name, std::string_view data,
                              mode_t mode, Durability durability) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = name + ".tmp-" + std::to_string(rng() & 0xffffffffu);
  auto fd = TRY(open_at(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode));
  auto cleanup = [&] { ::unlinkat(dirfd, tmp.c_str(), 0); };
  if (auto r = write_all(fd.get(), data); !r) {
    cleanup();
    return tl::unexpected(std::move(r.error()).wrap("write " + tmp));
  }
  if (durability == Durability::synced && ::fsync(fd.get()) < 0) {
    auto err = sys_error("fsync " + tmp);
    cleanup();
    return err;
  }
  fd.reset();
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) < 0) {
    auto err = sys_error("rename " + tmp + " to " + name);
    cleanup();
    return err;
  }
  return ok();
}

Result<> write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  return write_file_atomic_at(AT_FDCWD, path, data, mode);
}

Result<> write_knob(const std::string& path, std::string_view value) {
  return write_knob_at(AT_FDCWD, path, value);
}

Result<> write_knob_at(int dirfd, const std::string& name, std::string_view value) {
  auto fd = TRY(open_at(dirfd, name, O_WRONLY | O_TRUNC));
  ssize_t n;
  do {
    n = ::write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("write \"" + std::string(value) + "\" to " + name);
  return ok();
}

Result<> make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return ok();
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty() || partial == "/") continue;
    if (::mkdir(partial.c_str(), mode) < 0 && errno != EEXIST) return sys_error("mkdir " + partial);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return sys_error("stat " + path);
  if (!S_ISDIR(st.st_mode))
    return make_error(ErrorCategory::Conflict, path + " exists and is not a directory");
  return ok();
}

}  // namespace berth
