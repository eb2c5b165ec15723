#include "monitor/json_log.hpp"

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::monitor {
namespace {
constexpr size_t kMaxLine = 16 * 1024;  // dockerd's buffer size per log message
}

std::string encode_log_entry(std::string_view log, std::string_view stream, std::string_view time) {
  std::string out = "{\"log\":";
  out += json_quote(log);
  out += ",\"stream\":\"";
  out += stream;
  out += "\",\"time\":\"";
  out += time;
  out += "\"}\n";
  return out;
}

void LogWriter::emit(int stream, std::string_view piece, std::string_view time) {
  if (fd_ < 0 || piece.empty()) return;
  // A failed log write must not stop the container's output from flowing
  // to attached clients; there is nobody to report it to but stderr.
  (void)write_all(fd_, encode_log_entry(piece, stream == 2 ? "stderr" : "stdout", time));
}

void LogWriter::add(int stream, std::string_view data, std::string_view time) {
  std::string& buf = pending_[stream == 2 ? 2 : 1];
  buf.append(data);
  size_t start = 0;
  for (;;) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos || nl - start >= kMaxLine) {
      while (buf.size() - start >= kMaxLine && (nl == std::string::npos || nl - start >= kMaxLine)) {
        emit(stream, std::string_view(buf).substr(start, kMaxLine), time);
        start += kMaxLine;
        nl = buf.find('\n', start);
      }
      if (nl == std::string::npos) break;
    }
    emit(stream, std::string_view(buf).substr(start, nl + 1 - start), time);
    start = nl + 1;
  }
  buf.erase(0, start);
}

void LogWriter::flush(std::string_view time) {
  for (int s = 1; s <= 2; ++s) {
    emit(s, pending_[s], time);
    pending_[s].clear();
  }
}

}  // namespace berth::monitor
