// A thin libcurl layer: one request in, status + headers + body out.
// Bodies can stream to a sink (only on 2xx, so error bodies stay readable)
// and uploads can stream from a file descriptor. Transport failures are
// Unavailable errors; HTTP statuses are the caller's to judge.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace berth::registry {

struct Response {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lowercased
  std::string body;                                 // unless streamed to a sink
  std::string url;                                  // after redirects
  // The last value of header `name` (lowercase), or "".
  std::string header(const std::string& name) const;
};

using Sink = std::function<Result<>(const char* data, size_t size)>;

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // small request bodies
  int body_fd = -1;                  // or stream body_size bytes from body_fd at body_offset
  int64_t body_offset = 0;
  int64_t body_size = -1;
  Sink sink;                     // 2xx bodies go here instead of Response::body
  std::string ca_file;           // extra CA bundle for this host
  long connect_timeout_s = 15;
  long low_speed_timeout_s = 60;  // abort when under 1 byte/s this long
  bool follow_redirects = true;
};

// One configured transfer; run it alone (perform) or in a curl multi.
class Transfer {
 public:
  explicit Transfer(Request request);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* handle() { return curl_; }
  // Turns the curl result code into the response or a transport error
  // (a sink error wins: it says why the transfer was aborted).
  Result<Response> finish(CURLcode code);
  const Request& request() const { return request_; }

 private:
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_body(char* data, size_t size, size_t n, void* self);
  static size_t on_read(char* data, size_t size, size_t n, void* self);

  Request request_;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
  Response response_;
  int64_t sent_ = 0;
  std::optional<Error> sink_error_;
};

// Runs one request to completion.
Result<Response> perform(Request request);

// Percent-encodes a query component.
std::string url_escape(const std::string& s);

}  // namespace berth::registry
