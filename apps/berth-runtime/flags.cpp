#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "cli.hpp"

namespace berth::cli {

std::string Flags::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Flags::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {
const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    for (const auto& n : s.names)
      if (n == name) return &s;
  return nullptr;
}
}  // namespace

Result<Flags> parse_flags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                          bool stop_at_positional) {
  Flags out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      if (stop_at_positional) {
        out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i), args.end());
        break;
      }
      out.positional.push_back(a);
      continue;
    }
    std::string body = a.substr(a[1] == '-' ? 2 : 1);
    auto [name, value, has_value] = split_once(body, '=');
    const FlagSpec* spec = find_spec(specs, std::string(name));
    if (spec == nullptr)
      return make_error(ErrorCategory::InvalidArgument, "flag provided but not defined: -" + std::string(name));
    auto& slot = out.values_[spec->names[0]];
    if (!spec->takes_value) {
      slot.push_back(has_value ? std::string(value) : "true");
      if (has_value && value == "false") out.values_.erase(spec->names[0]);
    } else if (has_value) {
      slot.push_back(std::string(value));
    } else if (i + 1 < args.size()) {
      slot.push_back(args[++i]);
    } else {
      return make_error(ErrorCategory::InvalidArgument, "flag needs an argument: -" + std::string(name));
    }
  }
  return out;
}

int fail(const Globals& g, const std::string& message, int code) {
  if (g.log_fd >= 0) {
    log::error(message);
    std::fprintf(stderr, "%s\n", message.c_str());
  } else {
    char when[32];
    time_t now = ::time(nullptr);
    tm utc;
    ::gmtime_r(&now, &utc);
    ::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    std::fprintf(stderr, "time=\"%s\" level=error msg=%s\n", when, json_quote(message).c_str());
  }
  return code;
}

int fail(const Globals& g, const Error& error, int code) { return fail(g, error.to_string(), code); }

Result<> need_args(const Flags& f, size_t n, const char* usage) {
  if (f.positional.size() == n) return ok();
  return make_error(ErrorCategory::InvalidArgument,
                    std::string("\"") + usage + "\" requires exactly " + std::to_string(n) + " argument(s)");
}

}  // namespace berth::cli
