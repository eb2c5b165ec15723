// Docker's json-file log format, one JSON object per line:
//   {"log":"hi\n","stream":"stdout","time":"2026-01-02T03:04:05.123456789Z"}
// The writer splits output into lines (a line longer than 16 KiB is cut
// into pieces, as dockerd does); a piece without a trailing newline is a
// partial line.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::monitor {

std::string encode_log_entry(std::string_view log, std::string_view stream, std::string_view time);

class LogWriter {
 public:
  explicit LogWriter(int fd) : fd_(fd) {}
  // Output of `stream` (1 = stdout, 2 = stderr) read at `time`.
  void add(int stream, std::string_view data, std::string_view time);
  // Writes whatever partial lines are buffered (at exit).
  void flush(std::string_view time);

 private:
  void emit(int stream, std::string_view piece, std::string_view time);
  int fd_;
  std::string pending_[3];
};

}  // namespace berth::monitor
