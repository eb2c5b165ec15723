// dockerd's predefined networks besides the default bridge: `host` (driver
// host) and `none` (driver null). They have no bridge, addresses or rules,
// so net::Manager never sees them; they exist for the API only: listed by
// GET /networks, inspectable, never removable, and named as the network of
// containers in those modes. Their ids are made once and kept in
// <data-root>/network/predefined.json, so they are stable across restarts
// as dockerd's are.
#include <boost/json.hpp>

#include "base/file.hpp"
#include "engine/container_network.hpp"
#include "engine/container_network_json.hpp"

namespace berth::engine {
namespace json = boost::json;

Result<std::vector<net::Network>> load_predefined_networks(const std::string& path) {
  std::vector<net::Network> out;
  auto text = read_file(path, 1u << 16);
  if (!text && !text.error().is(ErrorCategory::NotFound)) return tl::unexpected(text.error());
  auto stored = parse_json_object(text ? *text : "");
  bool changed = false;
  for (const auto& [name, driver] : {std::pair{"host", "host"}, std::pair{"none", "null"}}) {
    net::Network n;
    n.name = name;
    n.driver = driver;
    if (auto* v = stored.if_contains(name); v && v->is_object()) {
      n.id = json_string(v->as_object(), "Id");
      n.created = json_string(v->as_object(), "Created");
    }
    if (n.id.size() != 64) {
      n.id = net::random_id();
      n.created = net::now_rfc3339();
      stored[name] = json::object{{"Id", n.id}, {"Created", n.created}};
      changed = true;
    }
    out.push_back(std::move(n));
  }
  if (changed) TRY(write_file_atomic(path, json::serialize(stored), 0600));
  return out;
}

std::optional<net::Network> find_predefined(const std::vector<net::Network>& networks, const std::string& ref) {
  for (const auto& n : networks)
    if (n.name == ref || n.id == ref) return n;
  // An id prefix, as for every other network (never the empty one).
  for (const auto& n : networks)
    if (!ref.empty() && n.id.starts_with(ref)) return n;
  return std::nullopt;
}

std::optional<net::Network> ContainerNetworking::predefined(const std::string& ref) const {
  return find_predefined(predefined_, ref);
}

}  // namespace berth::engine
