#include "cli/format.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/strings.hpp"

namespace berth::cli {
namespace json = boost::json;

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string tabwrite(const std::string& text, size_t minwidth, size_t padding) {
  std::vector<std::vector<std::string>> lines;
  for (const auto& line : split(text, '\n')) lines.push_back(split(line, '\t'));
  if (!lines.empty() && lines.back().size() == 1 && lines.back()[0].empty()) lines.pop_back();
  std::vector<size_t> widths;
  for (const auto& cells : lines)
    for (size_t c = 0; c + 1 < cells.size(); ++c) {
      if (widths.size() <= c) widths.push_back(minwidth);
      widths[c] = std::max(widths[c], display_width(cells[c]) + padding);
    }
  std::string out;
  for (const auto& cells : lines) {
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out.append(widths[c] - display_width(cells[c]), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string human_duration(int64_t seconds) {
  auto plural = [](int64_t n, const char* unit) { return std::to_string(n) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return plural(seconds, "seconds");
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return plural(minutes, "minutes");
  auto hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600.0 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return plural(hours, "hours");
  if (hours < 24 * 7 * 2) return plural(hours / 24, "days");
  if (hours < 24 * 30 * 2) return plural(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return plural(hours / 24 / 30, "months");
  return plural(seconds / 3600 / 24 / 365, "years");
}

namespace {
std::string scaled(double size, double base, const char* const* units, int precision) {
  int i = 0;
  while (size >= base && i < 8) {
    size /= base;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, units[i]);
  return buf;
}
}  // namespace

std::string human_size(double bytes, int precision) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  return scaled(bytes, 1000.0, units, precision);
}

std::string bytes_size(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  return scaled(bytes, 1024.0, units, 4);
}

std::string go_time_string(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

int64_t parse_rfc3339(const std::string& text) {
  struct tm tm {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return 0;
  int64_t t = timegm(&tm);
  while (*rest == '.' || (*rest >= '0' && *rest <= '9')) ++rest;
  int sign = *rest == '+' ? -1 : *rest == '-' ? 1 : 0;
  if (sign != 0) {
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%d:%d", &hh, &mm) == 2) t += sign * (hh * 3600 + mm * 60);
  }
  return t;
}

std::string go_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string ellipsis(const std::string& s, size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > width - 1) break;
    out += s[i];
  }
  return out + "…";
}

namespace {

void go_json_string(const std::string_view s, std::string& out) {
  std::string q = json::serialize(json::value(s));
  for (char c : q) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
}

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  // The shortest text that reads back as the same double, as Go prints it.
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

}  // namespace

namespace {

// Keys shaped like Go struct fields ("HostConfig", "IPv4Address"): the
// docker CLI decoded a struct and prints it in field order. Anything else
// ("team", "80/tcp", "net.ipv4.ip_forward") was a map, printed sorted.
bool struct_like(const json::object& o) {
  for (const auto& kv : o) {
    std::string_view k = kv.key();
    if (k.empty() || !std::isupper(static_cast<unsigned char>(k[0]))) return false;
    for (char c : k)
      if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string go_json(const json::value& v, bool sort_keys) {
  std::string out;
  if (v.is_object()) {
    std::vector<std::string_view> keys;
    for (const auto& kv : v.get_object()) keys.push_back(kv.key());
    if (sort_keys || !struct_like(v.get_object())) std::sort(keys.begin(), keys.end());
    out += '{';
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      go_json_string(keys[i], out);
      out += ':';
      out += go_json(v.get_object().at(keys[i]), sort_keys);
    }
    return out + '}';
  }
  if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      out += go_json(e, sort_keys);
    }
    return out + ']';
  }
  if (v.is_string()) {
    go_json_string(v.get_string(), out);
    return out;
  }
  if (v.is_number()) return number_text(v);
  return json::serialize(v);
}

std::string go_print(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "<nil>";
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_number()) return number_text(v);
  std::string out;
  if (v.is_array()) {
    out = "[";
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ' ';
      first = false;
      out += go_print(e);
    }
    return out + "]";
  }
  std::vector<std::string_view> keys;
  for (const auto& kv : v.get_object()) keys.push_back(kv.key());
  std::sort(keys.begin(), keys.end());
  out = "map[";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ' ';
    out += std::string(keys[i]) + ":" + go_print(v.get_object().at(keys[i]));
  }
  return out + "]";
}

std::string indent_json(const std::string& raw) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] { out += '\n' + std::string(static_cast<size_t>(depth) * 4, ' '); };
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < raw.size()) out += raw[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    size_t next = raw.find_first_not_of(" \n\t\r", i + 1);
    char after = next == std::string::npos ? 0 : raw[next];
    if (c == '"') {
      in_string = true;
      out += c;
    } else if (c == '{' || c == '[') {
      out += c;
      if ((c == '{' && after == '}') || (c == '[' && after == ']')) {
        out += after;
        i = next;
      } else {
        ++depth;
        newline();
      }
    } else if (c == '}' || c == ']') {
      --depth;
      newline();
      out += c;
    } else if (c == ',') {
      out += c;
      newline();
    } else if (c == ':') {
      out += ": ";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace berth::cli
