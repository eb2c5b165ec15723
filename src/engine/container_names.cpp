// Container names, signals and wait conditions as dockerd spells them.
#include <csignal>
#include <cstring>

#include "base/strings.hpp"
#include "engine/container.hpp"

namespace berth::engine {
namespace {

bool name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

// Our own short word lists; dockerd uses scientists' surnames.
constexpr const char* kAdjectives[] = {
    "amber", "brave", "calm", "dapper", "eager", "fuzzy", "gentle", "happy", "icy", "jolly",
    "keen", "lucid", "mellow", "nimble", "odd", "plucky", "quiet", "rapid", "sunny", "tidy",
    "upbeat", "vivid", "witty", "young", "zesty"};
constexpr const char* kNouns[] = {
    "otter", "falcon", "maple", "comet", "badger", "harbor", "lantern", "pebble", "quartz",
    "raven", "saffron", "tundra", "walrus", "willow", "yarrow", "zephyr", "anchor", "beacon",
    "cedar", "delta", "ember", "fjord", "glacier", "heron", "island"};

}  // namespace

Result<std::string> validate_container_name(std::string_view name) {
  std::string_view n = name;
  if (!n.empty() && n[0] == '/') n.remove_prefix(1);
  bool valid = n.size() >= 2;
  for (size_t i = 0; valid && i < n.size(); ++i) valid = name_char(n[i], i == 0);
  if (!valid)
    return make_error(ErrorCategory::InvalidArgument,
                      "Invalid container name (" + std::string(name) +
                          "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  return std::string(n);
}

std::string generate_container_name(uint64_t seed) {
  constexpr size_t na = sizeof kAdjectives / sizeof *kAdjectives;
  constexpr size_t nn = sizeof kNouns / sizeof *kNouns;
  std::string name = std::string(kAdjectives[seed % na]) + "_" + kNouns[(seed / na) % nn];
  // Beyond the first round, dockerd appends a number; so do we.
  if (uint64_t round = seed / (na * nn) % 100; round) name += std::to_string(round);
  return name;
}

Result<int> parse_signal(std::string_view text) {
  if (text.empty()) return SIGKILL;
  if (auto n = parse_int<int>(text); n) {
    if (*n <= 0 || *n >= NSIG) return make_error(ErrorCategory::InvalidArgument, "Invalid signal: " + std::string(text));
    return *n;
  }
  std::string upper;
  for (char c : text) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper.starts_with("SIG")) upper.erase(0, 3);
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && upper == abbrev) return s;
  }
  return make_error(ErrorCategory::InvalidArgument, "Invalid signal: " + std::string(text));
}

Result<WaitCondition> parse_wait_condition(std::string_view text) {
  if (text.empty() || text == "not-running") return WaitCondition::NotRunning;
  if (text == "next-exit") return WaitCondition::NextExit;
  if (text == "removed") return WaitCondition::Removed;
  return make_error(ErrorCategory::InvalidArgument, "invalid condition: \"" + std::string(text) + "\"");
}

}  // namespace berth::engine
