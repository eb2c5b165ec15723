#include "base/log.hpp"
#include "base/log_output.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

#include "base/strings.hpp"

namespace berth::log {
namespace {

std::atomic<Level> g_level{Level::Info};
std::atomic<Format> g_format{Format::Text};
std::atomic<int> g_fd{2};

std::string now_rfc3339() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto micros = duration_cast<microseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  (void)std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros));
  return buf;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

}  // namespace

int output_fd() { return g_fd; }

void configure(Level level, Format format, int fd) {
  g_level = level;
  g_format = format;
  g_fd = fd;
}
void set_level(Level level) { g_level = level; }
Level level() { return g_level; }
bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Trace: return "trace";
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}

Result<Level> parse_level(std::string_view name) {
  std::string n = to_lower(name);
  if (n == "trace") return Level::Trace;
  if (n == "debug") return Level::Debug;
  if (n == "info") return Level::Info;
  if (n == "warn" || n == "warning") return Level::Warn;
  if (n == "error" || n == "fatal" || n == "panic") return Level::Error;
  return make_error(ErrorCategory::InvalidArgument,
                    "unknown log level \"" + std::string(name) + "\"");
}

Result<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::Text;
  if (name == "json") return Format::Json;
  return make_error(ErrorCategory::InvalidArgument,
                    "unknown log format \"" + std::string(name) + "\"");
}

namespace {

std::string format_fields(Format format, Level level, std::string_view msg, const Field* fields, size_t n,
                          std::string_view time) {
  std::string out;
  if (format == Format::Json) {
    out = "{\"level\":" + json_quote(level_name(level)) + ",\"msg\":" + json_quote(msg) +
          ",\"time\":" + json_quote(time);
    for (size_t i = 0; i < n; ++i) out += "," + json_quote(fields[i].key) + ":" + json_quote(fields[i].value);
    out += "}";
    return out;
  }
  if (format == Format::Logrus) {
    out.append("time=").append(json_quote(time)).append(" level=").append(level_name(level)).append(" msg=");
    out += json_quote(msg);
  } else {
    out.append(time).append(" ").append(level_name(level)).append(" ").append(msg);
  }
  for (size_t i = 0; i < n; ++i) {
    out.append(" ").append(fields[i].key).append("=");
    out += needs_quotes(fields[i].value) ? json_quote(fields[i].value) : fields[i].value;
  }
  return out;
}

void emit(Level level, std::string_view msg, const Field* fields, size_t n) {
  if (!enabled(level)) return;
  std::string line = format_fields(g_format, level, msg, fields, n, now_rfc3339());
  line += '\n';
  // One write() per record keeps lines whole when several threads log.
  (void)!::write(g_fd, line.data(), line.size());
}

}  // namespace

std::string format_record(Format format, Level level, std::string_view msg,
                          std::initializer_list<Field> fields, std::string_view time) {
  return format_fields(format, level, msg, fields.begin(), fields.size(), time);
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  emit(level, msg, fields.begin(), fields.size());
}

void write_fields(Level level, std::string_view msg, const std::vector<Field>& fields) {
  emit(level, msg, fields.data(), fields.size());
}

}  // namespace berth::log
