#include "registry/http.hpp"

#include <unistd.h>

#include <mutex>

#include "base/strings.hpp"

namespace berth::registry {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_2xx(long status) { return status >= 200 && status < 300; }

}  // namespace

std::string Response::header(const std::string& name) const {
  auto range = headers.equal_range(name);
  std::string value;
  for (auto it = range.first; it != range.second; ++it) value = it->second;
  return value;
}

Transfer::Transfer(Request request) : request_(std::move(request)) {
  global_init();
  curl_ = curl_easy_init();
  const auto& r = request_;
  curl_easy_setopt(curl_, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, r.connect_timeout_s);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, r.low_speed_timeout_s);
  curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_USERAGENT, "berth");
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
  if (!r.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, r.ca_file.c_str());
  for (const auto& h : r.headers) headers_ = curl_slist_append(headers_, h.c_str());
  if (r.method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else if (r.body_fd >= 0) {
    // Streamed uploads (blob PUT/PATCH): curl reads from the fd.
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &Transfer::on_read);
    curl_easy_setopt(curl_, CURLOPT_READDATA, this);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body_size));
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method != "GET") {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  // curl adds "Expect: 100-continue" to uploads; registries answer
  // without it and it costs a round trip.
  headers_ = curl_slist_append(headers_, "Expect:");
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
}

Transfer::~Transfer() {
  curl_easy_cleanup(curl_);
  curl_slist_free_all(headers_);
}

size_t Transfer::on_header(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response_.headers.clear();  // a new response (redirect, 100)
    return size * n;
  }
  auto [name, value, found] = split_once(line, ':');
  if (found) t->response_.headers.emplace(to_lower(trim(name)), std::string(trim(value)));
  return size * n;
}

size_t Transfer::on_body(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  long status = 0;
  curl_easy_getinfo(t->curl_, CURLINFO_RESPONSE_CODE, &status);
  if (t->request_.sink && is_2xx(status)) {
    auto r = t->request_.sink(data, size * n);
    if (!r) {
      t->sink_error_ = r.error();
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    return size * n;
  }
  // Error bodies are small JSON; cap them so a hostile server cannot
  // make us buffer a blob.
  if (t->response_.body.size() < (4u << 20)) t->response_.body.append(data, size * n);
  return size * n;
}

size_t Transfer::on_read(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  int64_t left = t->request_.body_size - t->sent_;
  if (left <= 0) return 0;
  size_t want = std::min<size_t>(size * n, static_cast<size_t>(left));
  ssize_t got = ::pread(t->request_.body_fd, data, want, t->request_.body_offset + t->sent_);
  if (got < 0) return CURL_READFUNC_ABORT;
  t->sent_ += got;
  return static_cast<size_t>(got);
}

Result<Response> Transfer::finish(CURLcode code) {
  if (sink_error_) return tl::unexpected(*sink_error_);
  if (code != CURLE_OK) {
    return make_error(ErrorCategory::Unavailable, request_.method + " \"" + request_.url +
                                                      "\": " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response_.status);
  char* url = nullptr;
  curl_easy_getinfo(curl_, CURLINFO_EFFECTIVE_URL, &url);
  response_.url = url ? url : request_.url;
  return std::move(response_);
}

Result<Response> perform(Request request) {
  Transfer t(std::move(request));
  return t.finish(curl_easy_perform(t.handle()));
}

std::string url_escape(const std::string& s) {
  global_init();
  char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace berth::registry
