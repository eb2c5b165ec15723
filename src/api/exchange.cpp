#include "api/exchange.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "api/errors.hpp"
#include "api/session.hpp"
#include "api/version.hpp"
#include "base/strings.hpp"

namespace berth::api {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Unexpected io_error(std::string_view what, const boost::system::error_code& ec) {
  return make_error(ErrorCategory::Unavailable, std::string(what) + ": " + ec.message());
}

bool iequals(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

}  // namespace

Exchange::Exchange(Session& session, Parser& parser, std::string path, std::string version,
                   Query query, PathParams params)
    : session_(session),
      parser_(parser),
      path_(std::move(path)),
      version_(std::move(version)),
      query_(std::move(query)),
      params_(std::move(params)) {}

http::verb Exchange::method() const { return parser_.get().method(); }
std::string_view Exchange::target() const { return parser_.get().target(); }

bool Exchange::version_at_least(std::string_view v) const {
  return compare_versions(version_, v) >= 0;
}

std::string_view Exchange::header(std::string_view name) const {
  auto it = parser_.get().find(name);
  if (it == parser_.get().end()) return {};
  return {it->value().data(), it->value().size()};
}

bool Exchange::wants_upgrade() const {
  // dockerd upgrades whenever the client sent an Upgrade header.
  return parser_.get().find(http::field::upgrade) != parser_.get().end();
}

bool Exchange::body_done() const { return parser_.is_done(); }

void Exchange::set_header(std::string name, std::string value) {
  extra_headers_.emplace_back(std::move(name), std::move(value));
}

Task<Result<size_t>> Exchange::read_body_some(char* data, size_t size) {
  if (parser_.is_done()) co_return size_t{0};
  if (!continue_sent_ && iequals(header("Expect"), "100-continue")) {
    continue_sent_ = true;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    auto [ec, n] = co_await asio::async_write(session_.socket_, asio::buffer(kContinue), kTuple);
    if (ec) co_return io_error("write 100 Continue", ec);
  }
  auto& body = parser_.get().body();
  body.data = data;
  body.size = size;
  body.more = true;
  auto [ec, n] = co_await http::async_read(session_.socket_, session_.buffer_, parser_, kTuple);
  if (ec && ec != http::error::need_buffer) co_return io_error("read request body", ec);
  co_return size - body.size;
}

Task<Result<std::string>> Exchange::read_body(size_t limit) {
  if (limit == 0) limit = session_.core_.limits.max_body_bytes;
  std::string out;
  std::string chunk(64 * 1024, '\0');
  while (!parser_.is_done()) {
    auto n = co_await read_body_some(chunk.data(), chunk.size());
    if (!n) co_return tl::unexpected(n.error());
    if (out.size() + *n > limit)
      co_return make_error(ErrorCategory::InvalidArgument,
                           "request body is larger than " + std::to_string(limit) + " bytes");
    out.append(chunk.data(), *n);
    if (*n == 0) break;
  }
  co_return out;
}

void Exchange::add_response_fields(http::fields& f) const {
  f.set(http::field::server, "Berth/" BERTH_VERSION " (linux)");
  f.set("Api-Version", std::string(kApiVersion));
  f.set("Ostype", "linux");
  for (const auto& [k, v] : extra_headers_) f.set(k, v);
}

bool Exchange::decide_keep_alive() {
  if (!parser_.get().keep_alive() || session_.core_.stopping) return false;
  if (parser_.is_done()) return true;
  // An unread body we would have to discard: only if it is small and its
  // length is known.
  auto remaining = parser_.content_length_remaining();
  return remaining && *remaining <= session_.core_.limits.drain_bytes;
}

Task<Result<>> Exchange::respond(http::status status, std::string body,
                                 std::string_view content_type) {
  if (responded_) co_return make_error(ErrorCategory::Internal, "response already sent");
  responded_ = true;
  http::response<http::string_body> res{status, parser_.get().version()};
  add_response_fields(res);
  keep_alive_ = decide_keep_alive();
  res.keep_alive(keep_alive_);
  bool bodyless = status == http::status::no_content || status == http::status::not_modified;
  if (!content_type.empty() && !bodyless) res.set(http::field::content_type, content_type);
  if (bodyless) {
    // no Content-Length, no body
  } else if (method() == http::verb::head) {
    res.content_length(body.size());  // describes the GET response, sends nothing
  } else {
    res.body() = std::move(body);
    res.prepare_payload();
  }
  http::response_serializer<http::string_body> sr{res};
  if (method() == http::verb::head) {
    auto [ec, n] = co_await http::async_write_header(session_.socket_, sr, kTuple);
    if (ec) co_return io_error("write response", ec);
  } else {
    auto [ec, n] = co_await http::async_write(session_.socket_, sr, kTuple);
    if (ec) co_return io_error("write response", ec);
  }
  co_return ok();
}

Task<Result<>> Exchange::respond_json(http::status status, const boost::json::value& value) {
  co_return co_await respond(status, boost::json::serialize(value) + "\n", "application/json");
}

Task<Result<>> Exchange::respond_empty(http::status status) {
  co_return co_await respond(status, std::string(), std::string_view());
}

Task<Result<>> Exchange::respond_error(const Error& error) {
  co_return co_await respond(status_for(error.category()), error_body(error));
}

Task<Result<>> Exchange::begin_stream(http::status status, std::string_view content_type) {
  if (responded_) co_return make_error(ErrorCategory::Internal, "response already sent");
  responded_ = streaming_ = true;
  http::response<http::empty_body> res{status, parser_.get().version()};
  add_response_fields(res);
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  keep_alive_ = decide_keep_alive();
  if (parser_.get().version() < 11) {
    // HTTP/1.0 has no chunking: the stream ends when the connection does.
    chunked_stream_ = false;
    keep_alive_ = false;
  }
  res.keep_alive(keep_alive_);
  if (chunked_stream_) res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  auto [ec, n] = co_await http::async_write_header(session_.socket_, sr, kTuple);
  if (ec) co_return io_error("write stream header", ec);
  session_.state_ = Session::State::Streaming;
  // A shutdown that came while this request was still busy must cut the
  // stream now, or it would wait for events that never come.
  if (session_.core_.stopping) session_.on_shutdown();
  co_return ok();
}

Task<Result<>> Exchange::write(std::string_view data) {
  if (!stream_open()) co_return make_error(ErrorCategory::Internal, "no open stream");
  if (data.empty() || method() == http::verb::head) co_return ok();
  boost::system::error_code ec;
  if (chunked_stream_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(
        session_.socket_, http::make_chunk(asio::buffer(data.data(), data.size())), kTuple);
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(
        session_.socket_, asio::buffer(data.data(), data.size()), kTuple);
  }
  if (ec) co_return io_error("write stream", ec);
  co_return ok();
}

Task<Result<>> Exchange::end_stream() {
  if (!stream_open()) co_return ok();
  stream_ended_ = true;
  session_.state_ = Session::State::Busy;
  if (!chunked_stream_ || method() == http::verb::head) co_return ok();
  auto [ec, n] = co_await asio::async_write(session_.socket_, http::make_chunk_last(), kTuple);
  if (ec) co_return io_error("end stream", ec);
  co_return ok();
}

Task<Result<Hijacked>> Exchange::hijack(std::string_view content_type) {
  if (responded_) co_return make_error(ErrorCategory::Internal, "response already sent");
  if (!parser_.is_done())
    co_return make_error(ErrorCategory::Internal, "hijack before the request body was read");
  std::string head;
  if (wants_upgrade()) {
    head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + std::string(content_type) +
           "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
  } else {
    head = "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(content_type) + "\r\n\r\n";
  }
  responded_ = hijacked_ = true;
  keep_alive_ = false;
  auto [ec, n] = co_await asio::async_write(session_.socket_, asio::buffer(head), kTuple);
  if (ec) co_return io_error("write upgrade", ec);
  session_.state_ = Session::State::Hijacked;
  if (session_.core_.stopping) session_.on_shutdown();
  co_return Hijacked(session_.socket_, session_.buffer_);
}

Task<void> Exchange::peer_closed() {
  // The client sends nothing while it reads a stream, so a completed read
  // means it closed (or reset) the connection, or the server closed it.
  std::array<char, 512> scratch;
  while (!session_.core_.stopping) {
    auto [ec, n] = co_await session_.socket_.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) co_return;
  }
}

Task<Result<size_t>> Hijacked::read_some(char* data, size_t size) {
  if (leftover_->size() > 0) {
    size_t n = asio::buffer_copy(asio::buffer(data, size), leftover_->data());
    leftover_->consume(n);
    co_return n;
  }
  auto [ec, n] = co_await socket_->async_read_some(asio::buffer(data, size), kTuple);
  if (ec == asio::error::eof) co_return size_t{0};
  if (ec) co_return io_error("read hijacked stream", ec);
  co_return n;
}

Task<Result<>> Hijacked::write(std::string_view data) {
  auto [ec, n] = co_await asio::async_write(*socket_, asio::buffer(data.data(), data.size()), kTuple);
  if (ec) co_return io_error("write hijacked stream", ec);
  co_return ok();
}

Result<> Hijacked::shutdown_write() {
  boost::system::error_code ec;
  socket_->shutdown(Socket::shutdown_send, ec);
  if (ec) return io_error("shutdown hijacked stream", ec);
  return ok();
}

}  // namespace berth::api
