// A Docker Engine API client over a Unix socket (or TCP): what the `berth`
// CLI and the integration tests use. Synchronous and single-threaded:
// keep-alive on one connection, streamed responses, chunked uploads, and
// hijacked connections handed back as a plain fd for the caller to poll.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HijackedConnection {
  int status = 0;            // 101, or 200 when the server did not upgrade
  std::string content_type;  // raw-stream or multiplexed-stream
  UniqueFd fd;               // blocking socket, both directions
  std::string buffered;      // stream bytes that arrived with the headers
};

class Client {
 public:
  // "unix:///path", "tcp://host:port" or a bare socket path.
  static Result<Client> connect(const std::string& host);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // Per-read/write timeout; 0 = none.
  void set_timeout(std::chrono::milliseconds timeout);

  Result<ClientResponse> request(std::string_view method, std::string_view target,
                                 std::string body = {}, const Headers& headers = {});
  // Calls on_data with each piece of the response body as it arrives (a
  // chunked events/logs stream); stops reading when it returns false. The
  // returned response has status and headers, no body — except for an
  // error status (>= 400), whose whole body is returned instead of streamed.
  Result<ClientResponse> stream(std::string_view method, std::string_view target,
                                const std::function<bool(std::string_view)>& on_data,
                                std::string body = {}, const Headers& headers = {});
  // Sends the body with Transfer-Encoding: chunked, pulling pieces from
  // next_piece until it returns an empty string.
  Result<ClientResponse> upload(std::string_view method, std::string_view target,
                                const std::function<Result<std::string>()>& next_piece,
                                const Headers& headers = {});
  // Sends a request now and reads its answer later with finish(): how the
  // CLI registers `wait` before `start` on a connection of its own.
  Result<> begin(std::string_view method, std::string_view target, std::string body = {},
                 const Headers& headers = {});
  Result<ClientResponse> finish();
  // Upgrade: tcp; the connection leaves the client (it reconnects for the
  // next request).
  Result<HijackedConnection> hijack(std::string_view method, std::string_view target,
                                    std::string body = {}, const Headers& headers = {});

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::api
