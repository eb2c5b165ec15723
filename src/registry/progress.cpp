#include "registry/progress.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace berth::registry {

namespace {

// Docker's units.HumanSize: decimal, 3 significant digits.
std::string human_size(double size) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (size >= 1000 && u < 4) {
    size /= 1000;
    ++u;
  }
  return fmt::format("{:.3g}{}", size, units[u]);
}

}  // namespace

std::string short_id(const std::string& digest) {
  auto colon = digest.find(':');
  std::string hex = colon == std::string::npos ? digest : digest.substr(colon + 1);
  return hex.substr(0, 12);
}

std::string progress_bar(int64_t current, int64_t total) {
  if (total <= 0) return human_size(static_cast<double>(current));
  constexpr int kWidth = 50;
  int filled = static_cast<int>(kWidth * std::min<int64_t>(current, total) / total);
  std::string bar = "[" + std::string(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += ">" + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
  bar += "]";
  return fmt::format("{} {:>7}/{}", bar, human_size(static_cast<double>(current)),
                     human_size(static_cast<double>(total)));
}

std::string to_json_message(const ProgressEvent& e) {
  if (!e.error.empty()) {
    return fmt::format(R"({{"errorDetail":{{"message":{}}},"error":{}}})", json_quote(e.error),
                       json_quote(e.error));
  }
  std::string out = "{";
  if (!e.status.empty()) out += "\"status\":" + json_quote(e.status);
  if (e.current >= 0) {
    out += fmt::format(R"(,"progressDetail":{{"current":{})", e.current);
    if (e.total > 0) out += fmt::format(R"(,"total":{})", e.total);
    out += "}";
    out += ",\"progress\":" + json_quote(progress_bar(e.current, e.total));
  } else if (e.detail || !e.aux_json.empty()) {
    out += std::string(out.size() > 1 ? "," : "") + "\"progressDetail\":{}";
  }
  if (!e.id.empty()) out += ",\"id\":" + json_quote(e.id);
  if (!e.aux_json.empty()) out += ",\"aux\":" + e.aux_json;
  return out + "}";
}

}  // namespace berth::registry
