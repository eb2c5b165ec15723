#include "image/config_change.hpp"

#include <algorithm>

#include "base/strings.hpp"
#include "oci/json.hpp"

namespace berth::image {

namespace {

Unexpected bad(std::string_view instruction, std::string_view why) {
  return make_error(ErrorCategory::InvalidArgument,
                    "invalid change \"" + std::string(instruction) + "\": " + std::string(why));
}

// Exec form ["a", "b"] or shell form (wrapped in /bin/sh -c).
Result<std::vector<std::string>> command(std::string_view args, bool shell_wrap) {
  if (!args.empty() && args.front() == '[') {
    auto v = oci::parse_json(args);
    if (v && v->is_array()) {
      std::vector<std::string> out;
      bool strings = true;
      for (const auto& x : v->get_array()) {
        if (!x.is_string()) strings = false;
        else out.emplace_back(x.get_string());
      }
      if (strings) return out;
    }
  }
  if (!shell_wrap) return split(args, ' ');
  return std::vector<std::string>{"/bin/sh", "-c", std::string(args)};
}

// Splits "k=v k2="v 2"" into words, honouring double quotes.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      any = true;
    } else if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> pairs(std::string_view instruction,
                                                               std::string_view args) {
  std::vector<std::pair<std::string, std::string>> out;
  auto ws = words(args);
  if (ws.empty()) return bad(instruction, "needs arguments");
  if (ws[0].find('=') == std::string::npos) {
    // Legacy "KEY value with spaces" form.
    auto [k, v, found] = split_once(trim(args), ' ');
    if (!found) return bad(instruction, "needs a value");
    out.emplace_back(std::string(k), std::string(trim(v)));
    return out;
  }
  for (const auto& w : ws) {
    auto [k, v, found] = split_once(w, '=');
    if (!found || k.empty()) return bad(instruction, "expected KEY=VALUE");
    out.emplace_back(std::string(k), std::string(v));
  }
  return out;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

Result<> apply_change(oci::ContainerConfig& c, std::string_view instruction) {
  auto [verb_raw, rest, found] = split_once(trim(instruction), ' ');
  std::string verb = to_lower(verb_raw);
  std::string_view args = trim(rest);
  if (!found || args.empty()) return bad(instruction, "missing arguments");
  if (verb == "cmd") {
    c.cmd = TRY(command(args, true));
  } else if (verb == "entrypoint") {
    c.entrypoint = TRY(command(args, true));
  } else if (verb == "env") {
    for (const auto& [k, v] : TRY(pairs(instruction, args))) oci::set_env(c.env, k, v);
  } else if (verb == "label") {
    for (const auto& [k, v] : TRY(pairs(instruction, args))) c.labels[k] = v;
  } else if (verb == "expose") {
    for (auto p : words(args)) {
      if (p.find('/') == std::string::npos) p += "/tcp";
      auto [port, proto, _] = split_once(p, '/');
      if (!parse_int<uint16_t>(port) || (proto != "tcp" && proto != "udp" && proto != "sctp"))
        return bad(instruction, "invalid port " + p);
      add_unique(c.exposed_ports, p);
    }
  } else if (verb == "volume") {
    for (const auto& v : TRY(command(args, false)))
      if (!v.empty()) add_unique(c.volumes, v);
  } else if (verb == "user") {
    c.user = std::string(args);
  } else if (verb == "workdir") {
    std::string dir(args);
    if (dir.front() == '/') c.working_dir = dir;
    else c.working_dir = (c.working_dir.empty() ? "" : c.working_dir) + "/" + dir;
  } else if (verb == "stopsignal") {
    c.stop_signal = std::string(args);
  } else if (verb == "onbuild") {
    c.on_build.push_back(std::string(args));
  } else {
    return bad(instruction, "unsupported instruction " + verb);
  }
  return ok();
}

}  // namespace berth::image
