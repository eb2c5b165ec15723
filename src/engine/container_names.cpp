// Container names, signals and wait conditions as dockerd spells them.
#include <csignal>
#include <cstring>
#include <string_view>
#include <tuple>
#include <utility>

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

// Docker's Linux signal table (names without "SIG"), aliases included.
// The real-time range is the kernel's (34..64), as Go counts it.
constexpr int kRtMin = 34, kRtMax = 64;
constexpr std::pair<std::string_view, int> kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM},     {"BUS", SIGBUS},     {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},       {"HUP", SIGHUP},     {"ILL", SIGILL},     {"INT", SIGINT},
    {"IO", SIGIO},     {"IOT", SIGABRT},      {"KILL", SIGKILL},   {"PIPE", SIGPIPE},   {"POLL", SIGIO},
    {"PROF", SIGPROF}, {"PWR", SIGPWR},       {"QUIT", SIGQUIT},   {"SEGV", SIGSEGV},   {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP}, {"SYS", SIGSYS},       {"TERM", SIGTERM},   {"TRAP", SIGTRAP},   {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},     {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},   {"RTMIN", kRtMin},
    {"RTMAX", kRtMax}};

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
  auto invalid = [&] { return make_error(ErrorCategory::InvalidArgument, "Invalid signal: " + std::string(text)); };
  // A number as Go's Atoi reads it (a sign, leading zeros); only 0 is
  // refused here, whether the kernel has it is the kill's question.
  std::string_view digits = text;
  bool negative = digits[0] == '-';
  if (negative || digits[0] == '+') digits.remove_prefix(1);
  if (!digits.empty() && digits[0] != '-' && digits[0] != '+') {
    if (auto n = parse_int<int>(digits)) {
      if (*n == 0) return invalid();
      return negative ? -*n : *n;
    }
  }
  std::string upper;
  for (char c : text) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  std::string_view name = upper;
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (const auto& [n, signo] : kSignals)
    if (name == n) return signo;
  // RTMIN+1..RTMIN+15 and RTMAX-14..RTMAX-1, as in docker's table.
  for (auto [prefix, base, step] : {std::tuple{"RTMIN+", kRtMin, 1}, std::tuple{"RTMAX-", kRtMax, -1}}) {
    if (!name.starts_with(prefix)) continue;
    std::string_view rest = name.substr(std::strlen(prefix));
    auto n = parse_int<int>(rest);
    if (!n || rest.empty() || rest[0] == '0' || *n < 1 || *n > (step > 0 ? 15 : 14)) break;
    return base + step * *n;
  }
  return invalid();
}

bool signal_supported(int signo) { return (signo >= 1 && signo <= 31) || (signo >= kRtMin && signo <= kRtMax); }

Result<WaitCondition> parse_wait_condition(std::string_view text) {
  if (text.empty() || text == "not-running") return WaitCondition::NotRunning;
  if (text == "next-exit") return WaitCondition::NextExit;
  if (text == "removed") return WaitCondition::Removed;
  return make_error(ErrorCategory::InvalidArgument, "invalid condition: \"" + std::string(text) + "\"");
}

}  // namespace berth::engine
