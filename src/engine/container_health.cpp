#include "engine/container_health.hpp"

#include <cctype>

#include "engine/local_image_service.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

Unexpected bad(const std::string& msg) { return make_error(ErrorCategory::InvalidArgument, msg); }

int64_t num(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return 0;
}

std::vector<std::string> test_of(const json::object& o) {
  std::vector<std::string> out;
  if (auto* t = o.if_contains("Test"); t && t->is_array())
    for (const auto& e : t->as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

int64_t rfc3339_ns(std::string_view text) {
  int64_t secs = parse_rfc3339_seconds(text);
  if (secs <= 0) return 0;
  int64_t nanos = 0;
  if (text.size() > 20 && text[19] == '.') {
    int64_t scale = 100000000;
    for (size_t i = 20; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, scale /= 10)
      nanos += (text[i] - '0') * scale;
  }
  return secs * 1000000000 + nanos;
}

}  // namespace

std::optional<HealthConfig> health_config(const Container& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.config, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& config = v.as_object();
  auto* h = config.if_contains("Healthcheck");
  if (!h || !h->is_object()) return std::nullopt;
  const auto& o = h->as_object();
  HealthConfig hc;
  hc.test = test_of(o);
  if (hc.test.empty() || hc.test[0] == "NONE") return std::nullopt;
  if (auto n = num(o, "Interval"); n > 0) hc.interval_ns = n;
  if (auto n = num(o, "Timeout"); n > 0) hc.timeout_ns = n;
  if (auto n = num(o, "StartPeriod"); n > 0) hc.start_period_ns = n;
  if (auto n = num(o, "Retries"); n > 0) hc.retries = static_cast<int>(n);
  if (auto* sh = config.if_contains("Shell"); sh && sh->is_array())
    for (const auto& e : sh->as_array())
      if (e.is_string()) hc.shell.emplace_back(e.as_string());
  return hc;
}

void merge_healthcheck(json::object& config, const json::object& image_config) {
  auto* image = image_config.if_contains("Healthcheck");
  if (!image || !image->is_object()) return;
  auto* user = config.if_contains("Healthcheck");
  if (!user || !user->is_object()) {
    config["Healthcheck"] = *image;
    return;
  }
  auto& u = user->as_object();
  const auto& i = image->as_object();
  if (test_of(u).empty())
    if (auto* t = i.if_contains("Test")) u["Test"] = *t;
  for (const char* key : {"Interval", "Timeout", "StartPeriod", "Retries"})
    if (num(u, key) == 0)
      if (auto* v = i.if_contains(key); v && num(i, key) != 0) u[key] = *v;
}

Result<> check_healthcheck(const json::object& config) {
  auto* h = config.if_contains("Healthcheck");
  if (!h || h->is_null()) return ok();
  if (!h->is_object()) return bad("json: cannot unmarshal into Go struct field Config.Healthcheck of type container.HealthConfig");
  const auto& o = h->as_object();
  for (const char* key : {"Interval", "Timeout", "StartPeriod"}) {
    auto n = num(o, key);
    if (n != 0 && n < 1000000) return bad(std::string(key) + " in Healthcheck cannot be less than 1ms");
  }
  if (num(o, "Retries") < 0) return bad("Retries in Healthcheck cannot be negative");
  return ok();
}

Result<std::vector<std::string>> probe_command(const HealthConfig& hc, const std::vector<std::string>& shell) {
  const auto& t = hc.test;
  if (t[0] == "CMD" && t.size() > 1) return std::vector<std::string>(t.begin() + 1, t.end());
  if (t[0] == "CMD-SHELL" && t.size() > 1) {
    std::vector<std::string> cmd = shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : shell;
    cmd.push_back(t[1]);
    return cmd;
  }
  return bad("unknown health check type: " + t[0]);
}

bool apply_probe_result(HealthState& h, HealthResult r, const HealthConfig& hc, std::string_view started_at) {
  std::string before = h.status;
  bool healthy = r.exit_code == 0;
  int64_t since_start = rfc3339_ns(r.start) - rfc3339_ns(started_at);
  h.log.push_back(std::move(r));
  if (h.log.size() > kHealthMaxLog) h.log.erase(h.log.begin(), h.log.end() - kHealthMaxLog);
  if (healthy) {
    h.failing_streak = 0;
    h.status = "healthy";
  } else if (h.status != "starting" || since_start >= hc.start_period_ns) {
    // Failures inside the start period of a container that never passed
    // do not count.
    if (++h.failing_streak >= hc.retries) h.status = "unhealthy";
  }
  return h.status != before;
}

void LimitedOutput::add(std::string_view data) {
  size_t keep = buf_.size() < kHealthMaxOutput ? std::min(kHealthMaxOutput - buf_.size(), data.size()) : 0;
  buf_.append(data.substr(0, keep));
  if (keep < data.size()) truncated_ = true;
}

std::string go_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-ns) : static_cast<uint64_t>(ns);
  auto fraction = [](uint64_t v, uint64_t unit) {
    std::string s = std::to_string(v / unit);
    uint64_t rest = v % unit;
    if (rest == 0) return s;
    std::string digits = std::to_string(rest + unit).substr(1);  // zero-padded
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    return s + "." + digits;
  };
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1000000) return sign + fraction(u, 1000) + "µs";
  if (u < 1000000000) return sign + fraction(u, 1000000) + "ms";
  uint64_t secs_ns = u % 60000000000ULL, minutes = u / 60000000000ULL;
  std::string out = fraction(secs_ns, 1000000000) + "s";
  if (minutes > 0) {
    out = std::to_string(minutes % 60) + "m" + out;
    if (minutes >= 60) out = std::to_string(minutes / 60) + "h" + out;
  }
  return sign + out;
}

json::value health_to_json(const HealthState& h) {
  json::array log;
  for (const auto& r : h.log)
    log.push_back(json::object{{"Start", r.start}, {"End", r.end}, {"ExitCode", r.exit_code}, {"Output", r.output}});
  return json::object{{"Status", h.status}, {"FailingStreak", h.failing_streak}, {"Log", std::move(log)}};
}

std::optional<HealthState> health_from_json(const json::value* v) {
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->as_object();
  HealthState h;
  if (auto* s = o.if_contains("Status"); s && s->is_string()) h.status = s->as_string();
  h.failing_streak = num(o, "FailingStreak");
  if (auto* l = o.if_contains("Log"); l && l->is_array()) {
    for (const auto& e : l->as_array()) {
      if (!e.is_object()) continue;
      const auto& eo = e.as_object();
      HealthResult r;
      auto str = [&](const char* k) {
        auto* p = eo.if_contains(k);
        return p && p->is_string() ? std::string(p->as_string()) : std::string();
      };
      r.start = str("Start");
      r.end = str("End");
      r.output = str("Output");
      r.exit_code = static_cast<int>(num(eo, "ExitCode"));
      h.log.push_back(std::move(r));
    }
  }
  return h;
}

}  // namespace berth::engine
