#include "api/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <limits>

#include "api/listener.hpp"
#include "base/strings.hpp"

namespace berth::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// A blocking socket fd as a Beast SyncStream, with a poll() timeout per
// read and write (SO_RCVTIMEO does not mix with Asio's sync operations).
class FdStream {
 public:
  FdStream(int fd, int timeout_ms) : fd_(fd), timeout_ms_(timeout_ms) {}

  template <typename Buffers>
  size_t read_some(const Buffers& buffers, error_code& ec) {
    auto buf = first_buffer<asio::mutable_buffer>(buffers);
    if (buf.size() == 0) return 0;
    if (!wait(POLLIN, ec)) return 0;
    ssize_t n;
    do n = ::recv(fd_, buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n == 0) ec = asio::error::eof;
    if (n < 0) ec = error_code(errno, boost::system::system_category());
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  template <typename Buffers>
  size_t read_some(const Buffers& buffers) {
    error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <typename Buffers>
  size_t write_some(const Buffers& buffers, error_code& ec) {
    auto buf = first_buffer<asio::const_buffer>(buffers);
    if (buf.size() == 0) return 0;
    if (!wait(POLLOUT, ec)) return 0;
    ssize_t n;
    do n = ::send(fd_, buf.data(), buf.size(), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) ec = error_code(errno, boost::system::system_category());
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  template <typename Buffers>
  size_t write_some(const Buffers& buffers) {
    error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  template <typename Buffer, typename Buffers>
  static Buffer first_buffer(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it)
      if (Buffer b(*it); b.size() > 0) return b;
    return Buffer();
  }
  bool wait(short events, error_code& ec) {
    if (timeout_ms_ <= 0) return true;
    pollfd p{fd_, events, 0};
    int rc;
    do rc = ::poll(&p, 1, timeout_ms_);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) ec = asio::error::timed_out;
    if (rc < 0) ec = error_code(errno, boost::system::system_category());
    return rc > 0;
  }
  int fd_;
  int timeout_ms_;
};

Result<UniqueFd> dial(const ListenAddress& addr) {
  if (addr.kind == ListenAddress::Kind::Unix) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (addr.path.size() >= sizeof sun.sun_path)
      return make_error(ErrorCategory::InvalidArgument, "socket path too long: " + addr.path);
    std::memcpy(sun.sun_path, addr.path.c_str(), addr.path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return sys_error("socket");
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
      int err = errno;
      return Unexpected(Error(ErrorCategory::Unavailable,
                              "cannot connect to the daemon at unix://" + addr.path, err));
    }
    return fd;
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(addr.port);
  if (::inet_pton(AF_INET, addr.host.c_str(), &sin.sin_addr) != 1)
    return make_error(ErrorCategory::InvalidArgument, "tcp host must be an IPv4 address: " + addr.host);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0)
    return sys_error("cannot connect to the daemon at tcp://" + addr.host);
  return fd;
}

Unexpected http_error(std::string_view what, const error_code& ec) {
  return make_error(ErrorCategory::Unavailable, std::string(what) + ": " + ec.message());
}

template <typename Message>
void fill_headers(const Message& msg, ClientResponse& out) {
  out.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) out.headers[to_lower(field.name_string())] = std::string(field.value());
}

}  // namespace

std::string ClientResponse::header(std::string_view name) const {
  auto it = headers.find(to_lower(name));
  return it == headers.end() ? std::string() : it->second;
}

struct Client::Impl {
  ListenAddress address;
  UniqueFd fd;
  beast::flat_buffer buffer;
  int timeout_ms = 0;
  size_t served = 0;  // requests answered on the current connection

  Result<> ensure_connected() {
    if (fd) return ok();
    fd = TRY(dial(address));
    buffer.clear();
    served = 0;
    return ok();
  }
  void disconnect() {
    fd.reset();
    buffer.clear();
  }
  FdStream stream() { return FdStream(fd.get(), timeout_ms); }

  template <typename Body>
  http::request<Body> make_request(std::string_view method, std::string_view target,
                                   const Headers& headers) {
    http::request<Body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(http::field::host, "api.moby.localhost");
    req.set(http::field::user_agent, "berth/" BERTH_VERSION);
    for (const auto& [k, v] : headers) req.set(k, v);
    return req;
  }

  // One attempt: send, then read a whole response.
  Result<ClientResponse> exchange(http::request<http::string_body>& req, bool& retryable) {
    auto s = stream();
    error_code ec;
    retryable = served > 0;  // a kept-alive connection the server may have closed
    http::write(s, req, ec);
    if (ec) return http_error("send request", ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.skip(req.method() == http::verb::head);
    http::read(s, buffer, parser, ec);
    if (ec) return http_error("read response", ec);
    retryable = false;
    ClientResponse out;
    fill_headers(parser.get(), out);
    out.body = std::move(parser.get().body());
    ++served;
    if (!parser.get().keep_alive()) disconnect();
    return out;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::connect(const std::string& host) {
  std::string spec = host.find("://") == std::string::npos ? "unix://" + host : host;
  auto impl = std::make_unique<Impl>();
  impl->address = TRY(parse_listen_address(spec));
  TRY(impl->ensure_connected());
  return Client(std::move(impl));
}

void Client::set_timeout(std::chrono::milliseconds timeout) {
  impl_->timeout_ms = static_cast<int>(timeout.count());
}

Result<ClientResponse> Client::request(std::string_view method, std::string_view target,
                                       std::string body, const Headers& headers) {
  auto req = impl_->make_request<http::string_body>(method, target, headers);
  req.body() = std::move(body);
  req.prepare_payload();
  for (int attempt = 0;; ++attempt) {
    TRY(impl_->ensure_connected());
    bool retryable = false;
    auto res = impl_->exchange(req, retryable);
    if (res || !retryable || attempt > 0) {
      if (!res) impl_->disconnect();
      return res;
    }
    impl_->disconnect();  // stale keep-alive connection: reconnect once
  }
}

Result<ClientResponse> Client::stream(std::string_view method, std::string_view target,
                                      const std::function<bool(std::string_view)>& on_data,
                                      std::string body, const Headers& headers) {
  TRY(impl_->ensure_connected());
  auto req = impl_->make_request<http::string_body>(method, target, headers);
  req.body() = std::move(body);
  req.prepare_payload();
  auto s = impl_->stream();
  error_code ec;
  http::write(s, req, ec);
  if (ec) return impl_->disconnect(), http_error("send request", ec);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read_header(s, impl_->buffer, parser, ec);
  if (ec) return impl_->disconnect(), http_error("read response", ec);
  ClientResponse out;
  fill_headers(parser.get(), out);
  if (out.status >= 400) {
    http::response_parser<http::string_body> full(std::move(parser));
    http::read(s, impl_->buffer, full, ec);
    if (ec) return impl_->disconnect(), http_error("read response body", ec);
    out.body = std::move(full.get().body());
    if (!full.get().keep_alive()) impl_->disconnect();
    return out;
  }
  std::string chunk(64 * 1024, '\0');
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    http::read_some(s, impl_->buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return impl_->disconnect(), http_error("read response body", ec);
    size_t n = chunk.size() - parser.get().body().size;
    if (n > 0 && !on_data(std::string_view(chunk.data(), n))) {
      impl_->disconnect();  // the rest of the stream is unread
      return out;
    }
  }
  if (!parser.get().keep_alive()) impl_->disconnect();
  return out;
}

Result<ClientResponse> Client::upload(std::string_view method, std::string_view target,
                                      const std::function<Result<std::string>()>& next_piece,
                                      const Headers& headers) {
  TRY(impl_->ensure_connected());
  auto req = impl_->make_request<http::empty_body>(method, target, headers);
  req.chunked(true);
  auto s = impl_->stream();
  error_code ec;
  http::request_serializer<http::empty_body> sr{req};
  http::write_header(s, sr, ec);
  if (ec) return impl_->disconnect(), http_error("send request", ec);
  for (;;) {
    auto piece = next_piece();
    if (!piece) return impl_->disconnect(), tl::unexpected(piece.error());
    if (piece->empty()) break;
    asio::write(s, http::make_chunk(asio::buffer(*piece)), ec);
    if (ec) return impl_->disconnect(), http_error("send body", ec);
  }
  asio::write(s, http::make_chunk_last(), ec);
  if (ec) return impl_->disconnect(), http_error("send body", ec);
  http::response_parser<http::string_body> parser;
  http::read(s, impl_->buffer, parser, ec);
  if (ec) return impl_->disconnect(), http_error("read response", ec);
  ClientResponse out;
  fill_headers(parser.get(), out);
  out.body = std::move(parser.get().body());
  if (!parser.get().keep_alive()) impl_->disconnect();
  return out;
}

Result<> Client::begin(std::string_view method, std::string_view target, std::string body,
                       const Headers& headers) {
  TRY(impl_->ensure_connected());
  auto req = impl_->make_request<http::string_body>(method, target, headers);
  req.body() = std::move(body);
  req.prepare_payload();
  auto s = impl_->stream();
  error_code ec;
  http::write(s, req, ec);
  if (ec) return impl_->disconnect(), http_error("send request", ec);
  return ok();
}

Result<ClientResponse> Client::finish() {
  auto s = impl_->stream();
  error_code ec;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read(s, impl_->buffer, parser, ec);
  if (ec) return impl_->disconnect(), http_error("read response", ec);
  ClientResponse out;
  fill_headers(parser.get(), out);
  out.body = std::move(parser.get().body());
  if (!parser.get().keep_alive()) impl_->disconnect();
  return out;
}

Result<HijackedConnection> Client::hijack(std::string_view method, std::string_view target,
                                          std::string body, const Headers& headers) {
  TRY(impl_->ensure_connected());
  auto req = impl_->make_request<http::string_body>(method, target, headers);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "tcp");
  if (req.find(http::field::content_type) == req.end())
    req.set(http::field::content_type, body.empty() ? "text/plain" : "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  auto s = impl_->stream();
  error_code ec;
  http::write(s, req, ec);
  if (ec) return impl_->disconnect(), http_error("send request", ec);
  http::response_parser<http::empty_body> parser;
  http::read_header(s, impl_->buffer, parser, ec);
  if (ec) return impl_->disconnect(), http_error("read response", ec);
  int status = static_cast<int>(parser.get().result_int());
  if (status != 101 && status != 200) {
    // An ordinary (error) response: read its body for the message.
    http::response_parser<http::string_body> full(std::move(parser));
    http::read(s, impl_->buffer, full, ec);
    impl_->disconnect();
    return make_error(ErrorCategory::Unavailable, "unable to upgrade to tcp, received " +
                                                      std::to_string(status) + ": " +
                                                      std::string(trim(full.get().body())));
  }
  HijackedConnection out;
  out.status = status;
  out.content_type = std::string(parser.get()[http::field::content_type]);
  auto data = impl_->buffer.data();
  out.buffered.assign(static_cast<const char*>(data.data()), data.size());
  out.fd = std::move(impl_->fd);
  impl_->disconnect();
  return out;
}

}  // namespace berth::api
