#include "api/listener.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <vector>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace berth::api {
namespace {

constexpr int kBacklog = 512;

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return make_error(ErrorCategory::InvalidArgument, "socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Whether a daemon answers on the socket file at `path`.
bool socket_is_live(const sockaddr_un& addr) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

Result<> remove_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok();
    return sys_error("stat " + path);
  }
  if (!S_ISSOCK(st.st_mode))
    return make_error(ErrorCategory::Conflict, path + " exists and is not a socket");
  if (socket_is_live(addr))
    return make_error(ErrorCategory::Conflict, "another daemon is listening on " + path);
  if (::unlink(path.c_str()) != 0) return sys_error("remove stale socket " + path);
  return ok();
}

std::optional<gid_t> lookup_group(const std::string& name) {
  if (name.empty()) return std::nullopt;
  std::vector<char> buf(16384);
  group grp{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return found->gr_gid;
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view spec) {
  if (spec.substr(0, 7) == "unix://") {
    std::string path(spec.substr(7));
    if (path.empty() || path.front() != '/')
      return make_error(ErrorCategory::InvalidArgument,
                        "unix socket address must be absolute: " + std::string(spec));
    return ListenAddress{ListenAddress::Kind::Unix, path, {}, 0};
  }
  if (spec.substr(0, 6) == "tcp://") {
    auto rest = spec.substr(6);
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      return make_error(ErrorCategory::InvalidArgument, "tcp address needs a port: " + std::string(spec));
    std::string host(rest.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "127.0.0.1";
    auto port = TRY_CTX(parse_int<uint16_t>(rest.substr(colon + 1)), "listen address " + std::string(spec));
    return ListenAddress{ListenAddress::Kind::Tcp, {}, host, port};
  }
  return make_error(ErrorCategory::InvalidArgument,
                    "unsupported listen address (want unix:///path or tcp://host:port): " +
                        std::string(spec));
}

Result<UniqueFd> open_unix_listener(const std::string& path, const std::string& group, mode_t mode) {
  auto addr = TRY(unix_address(path));
  TRY(make_dirs(parent_dir(path), 0755));
  TRY(remove_stale_socket(path, addr));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  // Bind with a tight umask so the socket never exists with looser
  // permissions than asked for, even for a moment.
  mode_t old = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  ::umask(old);
  if (rc != 0) return sys_error("bind " + path, bind_errno);
  if (::listen(fd.get(), kBacklog) != 0) return sys_error("listen " + path);
  if (auto gid = lookup_group(group); gid && ::geteuid() == 0) {
    if (::chown(path.c_str(), 0, *gid) != 0) return sys_error("chown " + path);
  } else if (!group.empty()) {
    log::debug("socket group does not exist; socket stays root-only", {{"group", group}});
  }
  if (::chmod(path.c_str(), mode) != 0) return sys_error("chmod " + path);
  return fd;
}

Result<UniqueFd> open_tcp_listener(const std::string& host, uint16_t port) {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return make_error(ErrorCategory::InvalidArgument, "tcp listen host must be an IP address: " + host);
  }
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), len) != 0)
    return sys_error("bind " + host + ":" + std::to_string(port));
  if (::listen(fd.get(), kBacklog) != 0) return sys_error("listen tcp");
  return fd;
}

}  // namespace berth::api
