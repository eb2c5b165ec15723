#include "runtime/log_forward.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <vector>

#include "base/log.hpp"

namespace berth::runtime {
namespace {

// One JSON record from the child, re-emitted with its fields; a line that
// is not a record (should not happen) is forwarded as a warning verbatim.
void forward_record(std::string_view line) {
  boost::system::error_code ec;
  auto value = boost::json::parse(line, ec);
  const auto* obj = ec ? nullptr : value.if_object();
  if (obj == nullptr) {
    log::warn("unparsable log record from child", {{"line", line}});
    return;
  }
  auto text = [](const boost::json::value& v) -> std::string {
    if (const auto* s = v.if_string()) return std::string(*s);
    return boost::json::serialize(v);
  };
  std::string level = obj->contains("level") ? text(obj->at("level")) : "info";
  std::string msg = obj->contains("msg") ? text(obj->at("msg")) : "";
  std::vector<std::string> values;
  values.reserve(obj->size());
  std::vector<log::Field> fields;
  for (const auto& [key, v] : *obj) {
    if (key == "level" || key == "msg" || key == "time") continue;
    values.push_back(text(v));
    fields.emplace_back(std::string_view(key), values.back());
  }
  log::write_fields(log::parse_level(level).value_or(log::Level::Info), msg, fields);
}

}  // namespace

void log_to_parent(int write_fd) { log::configure(log::level(), log::Format::Json, write_fd); }

void stop_logging_to_parent(int write_fd) {
  // -1, not the closed number: a later fd may reuse it.
  log::configure(log::level(), log::Format::Json, -1);
  ::close(write_fd);
}

void LogForwarder::forward_lines() {
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1)
    if (nl > start) forward_record(std::string_view(pending_).substr(start, nl - start));
  pending_.erase(0, start);
}

bool LogForwarder::pump() {
  if (!fd_) return false;
  char buf[4096];
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return true;  // nothing more right now
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      forward_lines();
      if (!pending_.empty()) forward_record(pending_);
      pending_.clear();
      fd_.reset();
      return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    forward_lines();
  }
}

void LogForwarder::drain(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (fd_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (!pump()) break;
  }
}

Result<std::string> recv_forwarding(const SyncChannel& sync, LogForwarder& log, UniqueFd* fd) {
  while (log.fd() >= 0) {
    pollfd p[2] = {{sync.fd(), POLLIN, 0}, {log.fd(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error("poll sync channel");
    }
    // Records first: they were written before the message that follows.
    if (p[1].revents != 0) log.pump();
    if (p[0].revents != 0) break;
  }
  return sync.recv(fd);
}

}  // namespace berth::runtime
