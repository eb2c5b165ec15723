#include "monitor/protocol.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::monitor {

std::string log_file_name(std::string_view id) { return std::string(id) + "-json.log"; }

int exit_code_for_start_error(std::string_view msg) {
  if (msg.find("executable file not found") != std::string_view::npos ||
      msg.find("no such file or directory") != std::string_view::npos ||
      msg.find("No such file or directory") != std::string_view::npos)
    return 127;
  return 126;  // permission denied, or anything else that kept it from running
}

std::string format_exit(const ExitRecord& exit) {
  return std::to_string(exit.code) + " " + exit.finished_at + "\n";
}

Result<ExitRecord> parse_exit(std::string_view text) {
  auto parts = split_once(trim(text), ' ');
  ExitRecord r;
  r.code = TRY_CTX(parse_int<int>(parts.first), "exit file");
  r.finished_at = std::string(trim(parts.second));
  return r;
}

Result<ExitRecord> read_exit(int dirfd) {
  auto text = read_file_at(dirfd, kExitFile, 4096);
  if (!text) return tl::unexpected(text.error());
  return parse_exit(*text);
}

Result<UniqueFd> connect(int dirfd) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("monitor socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + kSocketName;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ErrorCategory cat = (e == ENOENT || e == ECONNREFUSED) ? ErrorCategory::Unavailable
                                                            : ErrorCategory::Internal;
    return make_error(cat, std::string("connect to monitor: ") + std::strerror(e));
  }
  return fd;
}

Result<std::string> command(int fd, std::string_view line) {
  TRY(write_all(fd, std::string(line) + "\n"));
  // Read the answer byte by byte: bytes after the newline belong to the
  // stream that follows (attach), so none may be consumed here.
  std::string answer;
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read monitor answer");
    if (n == 0) return make_error(ErrorCategory::Unavailable, "monitor closed the connection");
    if (c == '\n') break;
    answer.push_back(c);
    if (answer.size() > 65536) return make_error(ErrorCategory::Internal, "monitor answer too long");
  }
  if (answer == "ok") return std::string();
  if (answer.starts_with("ok ")) return answer.substr(3);
  if (answer.starts_with("error ")) return make_error(ErrorCategory::Internal, answer.substr(6));
  return make_error(ErrorCategory::Internal, "bad monitor answer: " + answer);
}

Result<std::string> call(int dirfd, std::string_view line) {
  auto fd = TRY(connect(dirfd));
  return command(fd.get(), line);
}

}  // namespace berth::monitor
