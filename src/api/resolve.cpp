#include "api/resolve.hpp"

#include "api/version.hpp"

namespace berth::api {

bool ResolvedRequest::plain_text_errors() const {
  return error && requested && compare_versions(*requested, "1.23") < 0;
}

ResolvedRequest resolve_request(const Router& router, std::string_view method,
                                std::string_view target) {
  ResolvedRequest r;
  r.version = std::string(kApiVersion);
  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  auto raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (raw_path.empty() || raw_path.front() != '/') {
    r.error = Error(ErrorCategory::InvalidArgument, "invalid request path");
    return r;
  }
  auto decoded = percent_decode(raw_path, false);
  if (!decoded) {
    r.error = decoded.error();
    return r;
  }
  auto split = split_version(*decoded);
  r.path = std::move(split.path);
  r.requested = std::move(split.version);
  auto negotiated = negotiate_version(r.requested);
  if (!negotiated) {
    r.error = negotiated.error();
    return r;
  }
  r.version = std::move(*negotiated);
  auto query = Query::parse(raw_query);
  if (!query) {
    r.error = query.error();
    return r;
  }
  r.query = std::move(*query);
  auto match = router.match(method, r.path);
  if (auto* m = std::get_if<Router::Match>(&match)) {
    r.handler = m->handler;
    r.params = std::move(m->params);
  } else if (std::get<RouteMiss>(match) == RouteMiss::MethodNotAllowed) {
    r.wrong_method = true;
  } else {
    r.error = Error(ErrorCategory::NotFound, "page not found");
  }
  return r;
}

}  // namespace berth::api
