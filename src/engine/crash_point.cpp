#include "engine/crash_point.hpp"

#ifndef NDEBUG
#include <csignal>
#include <cstdlib>
#include <string>

#include "base/log.hpp"

namespace berth::engine {

void crash_point(std::string_view name) {
  static const std::string wanted = [] {
    const char* v = std::getenv("BERTH_CRASH_AT");
    return std::string(v ? v : "");
  }();
  if (wanted.empty() || wanted != name) return;
  log::warn("crash point reached: SIGKILL", {{"point", std::string(name)}});
  ::raise(SIGKILL);
}

}  // namespace berth::engine
#endif
