#include "api/router.hpp"

namespace berth::api {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string join_segments(const std::vector<std::string_view>& segs, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '/';
    out += segs[i];
  }
  return out;
}

}  // namespace

const std::string& PathParams::get(std::string_view name) const {
  static const std::string empty;
  for (const auto& [k, v] : items_)
    if (k == name) return v;
  return empty;
}

Result<> Router::add(std::string method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/')
    return make_error(ErrorCategory::InvalidArgument, "route pattern must start with /");
  Route route{std::move(method), {}, 0, std::move(handler)};
  for (auto seg : segments(pattern)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      auto name = seg.substr(1, seg.size() - 2);
      bool rest = !name.empty() && name.back() == '*';
      if (rest) name.remove_suffix(1);
      if (name.empty()) return make_error(ErrorCategory::InvalidArgument, "empty route parameter");
      route.tokens.push_back({std::string(name), rest ? Token::Rest : Token::Param});
    } else {
      route.tokens.push_back({std::string(seg), Token::Literal});
      ++route.literals;
    }
  }
  routes_.push_back(std::move(route));
  return ok();
}

bool Router::match_tokens(const std::vector<Token>& tokens, size_t t,
                          const std::vector<std::string_view>& segs, size_t s, PathParams& out) {
  if (t == tokens.size()) return s == segs.size();
  if (s == segs.size()) return false;
  const Token& tok = tokens[t];
  if (tok.kind == Token::Literal)
    return segs[s] == tok.text && match_tokens(tokens, t + 1, segs, s + 1, out);
  if (segs[s].empty()) return false;
  if (tok.kind == Token::Param) {
    if (!match_tokens(tokens, t + 1, segs, s + 1, out)) return false;
    out.set(tok.text, std::string(segs[s]));
    return true;
  }
  // Rest: the longest run of non-empty segments that lets the tail match.
  size_t end = s + 1;
  while (end < segs.size() && !segs[end].empty()) ++end;
  for (; end > s; --end) {
    PathParams tail;
    if (match_tokens(tokens, t + 1, segs, end, tail)) {
      out = std::move(tail);
      out.set(tok.text, join_segments(segs, s, end));
      return true;
    }
  }
  return false;
}

std::variant<Router::Match, RouteMiss> Router::match(std::string_view method,
                                                     std::string_view path) const {
  auto segs = segments(path);
  const Route* best = nullptr;
  PathParams best_params;
  bool path_matched = false;
  for (const auto& route : routes_) {
    if (best && route.literals <= best->literals) continue;
    PathParams params;
    if (!match_tokens(route.tokens, 0, segs, 0, params)) continue;
    path_matched = true;
    if (route.method != method) continue;
    best = &route;
    best_params = std::move(params);
  }
  if (best) return Match{&best->handler, std::move(best_params)};
  return path_matched ? RouteMiss::MethodNotAllowed : RouteMiss::NotFound;
}

}  // namespace berth::api
