#include "api/progress.hpp"

#include <cstdio>

#include "api/errors.hpp"
#include "base/strings.hpp"

namespace berth::api::progress {
namespace {

constexpr int kBarWidth = 50;

std::string quote(std::string_view s) { return json_quote(valid_utf8(s)); }

}  // namespace

std::string human_size(double bytes) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  size_t i = 0;
  while (bytes >= 1000.0 && i + 1 < std::size(units)) {
    bytes /= 1000.0;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", bytes, units[i]);
  return buf;
}

std::string render_bar(int64_t current, int64_t total) {
  if (total <= 0) return current > 0 ? human_size(static_cast<double>(current)) : std::string();
  int64_t filled = current >= total ? kBarWidth : current * kBarWidth / total;
  if (filled < 0) filled = 0;
  std::string bar = "[" + std::string(static_cast<size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar += std::string(static_cast<size_t>(kBarWidth - filled - (filled < kBarWidth ? 1 : 0)), ' ');
  bar += "] ";
  char nums[64];
  std::snprintf(nums, sizeof nums, "%8s/%s", human_size(static_cast<double>(current)).c_str(),
                human_size(static_cast<double>(total)).c_str());
  return bar + nums;
}

std::string status(std::string_view text, std::string_view id) {
  std::string out = "{\"status\":" + quote(text);
  if (!id.empty()) out += ",\"id\":" + quote(id);
  return out + "}\n";
}

std::string bar(std::string_view text, std::string_view id, int64_t current, int64_t total) {
  std::string detail = "{\"current\":" + std::to_string(current);
  if (total > 0) detail += ",\"total\":" + std::to_string(total);
  detail += "}";
  std::string out = "{\"status\":" + quote(text) + ",\"progressDetail\":" + detail +
                    ",\"progress\":" + quote(render_bar(current, total));
  if (!id.empty()) out += ",\"id\":" + quote(id);
  return out + "}\n";
}

std::string stream(std::string_view text) { return "{\"stream\":" + quote(text) + "}\n"; }

std::string aux(std::string_view aux_json) {
  return "{\"progressDetail\":{},\"aux\":" + std::string(aux_json) + "}\n";
}

std::string error(std::string_view message) {
  auto m = quote(message);
  return "{\"errorDetail\":{\"message\":" + m + "},\"error\":" + m + "}\n";
}

}  // namespace berth::api::progress
