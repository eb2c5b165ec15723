#include "api/filters_json.hpp"

#include <boost/json.hpp>

namespace berth::api {
namespace json = boost::json;
namespace {

Unexpected invalid_filter() { return make_error(ErrorCategory::InvalidArgument, "invalid filter"); }

// One key's values: {"v":true,...} or ["v",...]. Mixing forms across keys
// is accepted too; it costs nothing and no client relies on a refusal.
Result<> add_values(engine::Filters& out, const std::string& key, const json::value& values) {
  if (values.is_object()) {
    for (const auto& [value, flag] : values.get_object()) {
      if (!flag.is_bool()) return invalid_filter();
      out.add(key, std::string(value));
    }
    return ok();
  }
  if (values.is_array()) {
    for (const auto& value : values.get_array()) {
      if (!value.is_string()) return invalid_filter();
      out.add(key, std::string(value.get_string()));
    }
    return ok();
  }
  if (values.is_null()) return ok();
  return invalid_filter();
}

}  // namespace

Result<engine::Filters> parse_filters(std::string_view text) {
  engine::Filters out;
  if (text.empty()) return out;
  json::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return invalid_filter();
  if (doc.is_null()) return out;
  if (!doc.is_object()) return invalid_filter();
  for (const auto& [key, values] : doc.get_object())
    TRY(add_values(out, std::string(key), values));
  return out;
}

Result<engine::Filters> query_filters(const Query& query) {
  auto raw = query.get("filters");
  if (!raw) return engine::Filters{};
  return parse_filters(*raw);
}

std::string filters_to_json(const engine::Filters& filters) {
  json::object doc;
  for (const auto& [key, values] : filters.terms()) {
    json::object set;
    for (const auto& v : values) set[v] = true;
    doc[key] = std::move(set);
  }
  return json::serialize(doc);
}

}  // namespace berth::api
