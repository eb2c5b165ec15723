// The `filters` query argument: JSON in the map form the docker CLI sends,
// {"label":{"a=b":true}}, or the list form docker-py and compose send,
// {"label": ["a=b"]}.
#pragma once

#include <string>
#include <string_view>

#include "api/query.hpp"
#include "engine/filters.hpp"

namespace berth::api {

// InvalidArgument "invalid filter" for anything else.
Result<engine::Filters> parse_filters(std::string_view json);
// The `filters` parameter of a query (empty filters when absent).
Result<engine::Filters> query_filters(const Query& query);
// The map form.
std::string filters_to_json(const engine::Filters& filters);

}  // namespace berth::api
