// Structured logging to a file descriptor (stderr by default).
//
// Text:  2026-11-27T06:50:00.123456Z info container started id=abc pid=42
// JSON:  {"level":"info","msg":"container started","time":"...","id":"abc","pid":"42"}
// Logrus: time="2026-11-27T06:50:00Z" level=info msg="container started" id=abc
// The JSON shape is the one runc writes with --log-format json, which
// containerd and podman parse from the runtime's log file; Logrus is
// runc's text format (berth-runtime's --log-format text).
#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::log {

enum class Level { Trace, Debug, Info, Warn, Error };
enum class Format { Text, Json, Logrus };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <std::integral T>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, const Error& e) : key(k), value(e.to_string()) {}

  std::string_view key;
  std::string value;
};

// fd is not owned; the caller keeps it open for as long as logging runs.
void configure(Level level, Format format, int fd = 2);
void set_level(Level level);
Level level();
bool enabled(Level level);

Result<Level> parse_level(std::string_view name);
Result<Format> parse_format(std::string_view name);
std::string_view level_name(Level level);

// Formats one record (no trailing newline); exposed for tests.
std::string format_record(Format format, Level level, std::string_view msg,
                          std::initializer_list<Field> fields, std::string_view time);

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
// The same with fields only known at run time (a record forwarded from a
// child process).
void write_fields(Level level, std::string_view msg, const std::vector<Field>& fields);

inline void trace(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Trace, m, f);
}
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Error, m, f);
}

}  // namespace berth::log
