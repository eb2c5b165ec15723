#include "cli/platform.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/strings.hpp"

namespace berth::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool known_os(const std::string& os) {
  static const std::set<std::string> k = {"aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",
                                          "illumos", "ios",   "js",     "linux",     "nacl",    "netbsd",
                                          "openbsd", "plan9", "solaris", "wasip1",   "windows", "zos"};
  return k.count(os) > 0;
}

bool known_arch(const std::string& arch) {
  static const std::set<std::string> k = {
      "386",     "amd64",    "amd64p32",  "arm",         "armbe",   "arm64",   "arm64be", "loong64",
      "mips",    "mipsle",   "mips64",    "mips64le",    "mips64p32", "mips64p32le", "ppc", "ppc64",
      "ppc64le", "riscv",    "riscv64",   "s390",        "s390x",   "sparc",   "sparc64", "wasm"};
  return k.count(arch) > 0;
}

std::string normalize_os(const std::string& os) {
  std::string s = lower(os);
  return s == "macos" ? "darwin" : s;
}

// containerd's normalizeArch.
void normalize_arch(std::string& arch, std::string& variant) {
  arch = lower(arch);
  variant = lower(variant);
  if (arch == "i386") {
    arch = "386", variant = "";
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant = "";
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant = "";
    if (variant == "9" || variant == "9.0" || variant == "v9.0") variant = "v9";
  } else if (arch == "armhf") {
    arch = "arm", variant = "v7";
  } else if (arch == "armel") {
    arch = "arm", variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    else if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
}

std::string host_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "unknown";
#endif
}

Unexpected parse_error(const std::string& what) {
  return make_error(ErrorCategory::InvalidArgument, "error parsing specified platform: " + what + ": invalid argument");
}

}  // namespace

Result<std::string> normalize_platform(const std::string& specifier) {
  auto parts = split(specifier, '/');
  for (const auto& p : parts) {
    bool valid = !p.empty() && std::all_of(p.begin(), p.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '.' || c == '-';
    });
    if (!valid)
      return parse_error("\"" + p + "\" is an invalid component of \"" + specifier +
                         "\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\"");
  }
  std::string os, arch, variant;
  if (parts.size() == 1) {
    os = normalize_os(parts[0]);
    if (known_os(os)) {
      arch = host_arch();
    } else {
      arch = parts[0];
      normalize_arch(arch, variant);
      if (arch == "arm" && variant == "v7") variant.clear();
      if (!known_arch(arch)) return parse_error("\"" + specifier + "\": unknown operating system or architecture");
      os = "linux";
    }
  } else if (parts.size() == 2) {
    os = normalize_os(parts[0]);
    arch = parts[1];
    normalize_arch(arch, variant);
    if (arch == "arm" && variant == "v7") variant.clear();
  } else if (parts.size() == 3) {
    os = normalize_os(parts[0]);
    arch = parts[1];
    variant = parts[2];
    normalize_arch(arch, variant);
    if (arch == "arm64" && variant.empty()) variant = "v8";
  } else {
    return parse_error("\"" + specifier + "\": cannot parse platform specifier");
  }
  return os + "/" + arch + (variant.empty() ? "" : "/" + variant);
}

std::string platform_flag(const std::string& flag_value, bool flag_given) {
  if (flag_given) return flag_value;
  const char* env = std::getenv("DOCKER_DEFAULT_PLATFORM");
  return env ? env : "";
}

}  // namespace berth::cli
