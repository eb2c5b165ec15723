// Which events a `GET /events?filters=...` subscriber sees. The rules follow
// dockerd's: every given key must match; names match by id prefix or by the
// actor's "name" attribute; images also by name with or without the tag.
#include <string_view>

#include "engine/events.hpp"

namespace berth::engine {
namespace {

std::string attribute(const Event& event, const std::string& key) {
  auto it = event.attributes.find(key);
  return it == event.attributes.end() ? std::string() : it->second;
}

// "exec_start: sh -c true" filters as "exec_start".
std::string_view base_action(std::string_view action) {
  auto colon = action.find(':');
  return colon == std::string_view::npos ? action : action.substr(0, colon);
}

// Drops a ":tag" (but not a registry port: the colon must follow the last '/').
std::string strip_tag(const std::string& ref) {
  auto colon = ref.rfind(':');
  auto slash = ref.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return ref;
  return ref.substr(0, colon);
}

// For a per-type key (container=, network=, ...): the actor's id prefix or
// name must match. An event of another type has neither, so it is excluded.
bool match_name(const Filters& f, const Event& e, std::string_view key) {
  if (!f.contains(key)) return true;
  return f.fuzzy_match(key, e.actor_id) || f.fuzzy_match(key, attribute(e, "name"));
}

bool match_image(const Filters& f, const Event& e) {
  if (!f.contains("image")) return true;
  std::string name = attribute(e, e.type == "image" ? "name" : "image");
  return f.exact_match("image", e.actor_id) || f.exact_match("image", name) ||
         f.exact_match("image", strip_tag(e.actor_id)) || f.exact_match("image", strip_tag(name));
}

}  // namespace

bool event_matches(const Filters& f, const Event& e) {
  if (!f.exact_match("event", e.action) && !f.exact_match("event", base_action(e.action)))
    return false;
  if (!f.exact_match("type", e.type) || !f.exact_match("scope", e.scope)) return false;
  for (std::string_view key :
       {"container", "daemon", "network", "volume", "plugin", "node", "service", "secret", "config"})
    if (!match_name(f, e, key)) return false;
  return match_image(f, e) && f.match_labels("label", e.attributes);
}

Result<> validate_event_filters(const Filters& filters) {
  return filters.validate({"config", "container", "daemon", "event", "image", "label", "network",
                           "node", "plugin", "scope", "secret", "service", "type", "volume"});
}

}  // namespace berth::engine
