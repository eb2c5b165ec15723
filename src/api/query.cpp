#include "api/query.hpp"

#include "base/strings.hpp"

namespace berth::api {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 2 < in.size() ? hex_digit(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? hex_digit(in[i + 2]) : -1;
      if (i + 2 >= in.size() || hi < 0 || lo < 0)
        return make_error(ErrorCategory::InvalidArgument,
                          "invalid URL escape \"" + std::string(in.substr(i, 3)) + "\"");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<Query> Query::parse(std::string_view raw) {
  Query q;
  if (raw.empty()) return q;
  for (const auto& part : split(raw, '&')) {
    if (part.empty()) continue;
    auto [key, value, found] = split_once(part, '=');
    auto k = TRY_CTX(percent_decode(key, true), "query");
    auto v = TRY_CTX(percent_decode(value, true), "query");
    q.items_.emplace_back(std::move(k), std::move(v));
  }
  return q;
}

bool Query::has(std::string_view key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return true;
  return false;
}

std::optional<std::string> Query::get(std::string_view key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return v;
  return std::nullopt;
}

std::string Query::get_or(std::string_view key, std::string_view fallback) const {
  auto v = get(key);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> Query::get_all(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items_)
    if (k == key) out.push_back(v);
  return out;
}

bool parse_bool_value(std::string_view value) {
  auto v = to_lower(trim(value));
  return !(v.empty() || v == "0" || v == "no" || v == "false" || v == "none");
}

bool Query::boolean(std::string_view key, bool fallback) const {
  auto v = get(key);
  return v ? parse_bool_value(*v) : fallback;
}

Result<int64_t> Query::integer(std::string_view key, int64_t fallback) const {
  auto v = get(key);
  if (!v || v->empty()) return fallback;
  auto n = parse_int<int64_t>(*v);
  if (!n)
    return make_error(ErrorCategory::InvalidArgument,
                      "invalid value for " + std::string(key) + ": \"" + *v + "\"");
  return *n;
}

}  // namespace berth::api
