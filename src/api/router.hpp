// Method + path routing for the Docker API. Patterns are '/'-separated:
//   "/containers/{name}/start"   {name} is one non-empty segment
//   "/images/{name*}/push"       {name*} is one or more segments, so an
//                                image reference like "127.0.0.1:5000/bb:1"
//                                (raw '/' and ':') binds as one parameter
// When several patterns match, the one with more literal segments wins
// ("/images/json" beats "/images/{name*}"); ties go to the first added.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"

namespace berth::api {

class Exchange;
using Handler = std::function<boost::asio::awaitable<Result<>>(Exchange&)>;

class PathParams {
 public:
  void set(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  // Empty when the route has no such parameter.
  const std::string& get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

enum class RouteMiss { NotFound, MethodNotAllowed };

class Router {
 public:
  struct Match {
    const Handler* handler;
    PathParams params;
  };

  // InvalidArgument for a malformed pattern (a programming error at startup).
  Result<> add(std::string method, std::string_view pattern, Handler handler);
  // `path` is decoded and has no version prefix.
  std::variant<Match, RouteMiss> match(std::string_view method, std::string_view path) const;

 private:
  struct Token {
    std::string text;  // literal text or parameter name
    enum Kind { Literal, Param, Rest } kind;
  };
  struct Route {
    std::string method;
    std::vector<Token> tokens;
    int literals;
    Handler handler;
  };
  static bool match_tokens(const std::vector<Token>& tokens, size_t t,
                           const std::vector<std::string_view>& segs, size_t s, PathParams& out);

  std::vector<Route> routes_;
};

}  // namespace berth::api
