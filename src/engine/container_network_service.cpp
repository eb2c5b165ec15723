// ContainerNetworking: `network connect` / `network disconnect`, live on a
// running container (its namespace via /proc/<pid>/ns/net) and recorded in
// networks.json for the next start either way.
#include <algorithm>

#include "base/log.hpp"
#include "engine/container_network.hpp"
#include "engine/container_network_json.hpp"

namespace berth::engine {
namespace {

Unexpected shared_namespace(const Container& c) {
  return make_error(ErrorCategory::PermissionDenied,
                    "container " + c.id + ": container sharing network namespace with another container or host "
                                          "cannot be connected to any other network");
}

// The index of `net` among the container's networks (names or ids).
std::optional<size_t> find_attachment(net::Manager& m, const ContainerNetworkConfig& cfg, const net::Network& net) {
  for (size_t i = 0; i < cfg.networks.size(); ++i) {
    const auto& name = cfg.networks[i].network;
    if (name == net.name || name == net.id) return i;
    if (auto n = m.inspect(name); n && n->id == net.id) return i;
  }
  return std::nullopt;
}

}  // namespace

void ContainerNetworking::publish(const std::string& action, const net::Network& n, const std::string& container) {
  if (!events_) return;
  std::map<std::string, std::string> attributes{{"name", n.name}, {"type", n.driver}};
  if (!container.empty()) attributes["container"] = container;
  events_->publish({"network", action, n.id, std::move(attributes), "local", 0});
}

Result<net::Network> ContainerNetworking::create_network(net::NetworkRequest request) {
  auto n = TRY(manager_->create_network(std::move(request)));
  publish("create", n);
  return n;
}

Result<> ContainerNetworking::remove_network(const std::string& ref) {
  auto n = manager_->inspect(ref);
  if (!n && n.error().is(ErrorCategory::NotFound))
    if (auto p = predefined(ref))
      return make_error(ErrorCategory::PermissionDenied, p->name + " is a pre-defined network and cannot be removed");
  if (!n) return tl::unexpected(n.error());
  TRY(manager_->remove_network(n->id));
  publish("destroy", *n);
  return ok();
}

Result<std::vector<std::string>> ContainerNetworking::prune() {
  auto before = TRY(manager_->networks());
  auto names = TRY(manager_->prune());
  for (const auto& n : before)
    if (std::find(names.begin(), names.end(), n.name) != names.end()) publish("destroy", n);
  return names;
}

void ContainerNetworking::renamed(const Container& c) {
  if (auto r = manager_->rename_container(c.id, c.name); !r)
    log::warn("rename container endpoints", {{"id", c.id}, {"error", r.error()}});
}

Result<> ContainerNetworking::connect(const std::string& network, const std::string& container,
                                      NetworkAttachment attachment) {
  if (!containers_) return make_error(ErrorCategory::Internal, "no container service");
  auto c = TRY(containers_->get(container));
  auto n = TRY(manager_->inspect(network));
  std::lock_guard serial(connect_mu_);
  auto cfg = TRY(load_network_config(c));
  if (!cfg.mode.creates_interfaces()) return shared_namespace(c);
  if (find_attachment(*manager_, cfg, n))
    return make_error(ErrorCategory::PermissionDenied,
                      "endpoint with name " + c.name + " already exists in network " + n.name);
  if (n.is_default() && !attachment.aliases.empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "network-scoped alias is supported only for containers in user defined networks");
  attachment.network = n.name;
  if (c.state.running() && c.state.pid > 0) {
    TRY(connect_one(c, attachment, cfg.networks.empty(), "/proc/" + std::to_string(c.state.pid) + "/ns/net"));
    cfg.networks.push_back(attachment);
    if (auto r = save_network_config(c, cfg); !r) {
      (void)manager_->disconnect(n.id, c.id);
      return r;
    }
    if (auto r = write_files(c, cfg, true); !r) log::warn("rewrite container files", {{"id", c.id}, {"error", r.error()}});
    return ok();
  }
  cfg.networks.push_back(attachment);
  return save_network_config(c, cfg);
}

Result<> ContainerNetworking::disconnect(const std::string& network, const std::string& container, bool force) {
  if (!containers_) return make_error(ErrorCategory::Internal, "no container service");
  auto n = TRY(manager_->inspect(network));
  auto c = containers_->get(container);
  if (!c) {
    // dockerd: a forced disconnect of a container that is gone cleans the
    // network's record of it.
    if (force) return manager_->disconnect(n.id, container);
    return tl::unexpected(c.error());
  }
  std::lock_guard serial(connect_mu_);
  auto cfg = TRY(load_network_config(*c));
  if (!cfg.mode.creates_interfaces()) return shared_namespace(*c);
  auto at = find_attachment(*manager_, cfg, n);
  if (!at)
    return make_error(ErrorCategory::PermissionDenied,
                      "container " + c->id + " is not connected to network " + n.name);
  if (c->state.running()) {
    auto r = manager_->disconnect(n.id, c->id);
    if (!r && !r.error().is(ErrorCategory::NotFound)) return r;
    if (r) publish("disconnect", n, c->id);
  }
  cfg.networks.erase(cfg.networks.begin() + static_cast<std::ptrdiff_t>(*at));
  TRY(save_network_config(*c, cfg));
  if (c->state.running())
    if (auto r = write_files(*c, cfg, true); !r) log::warn("rewrite container files", {{"id", c->id}, {"error", r.error()}});
  return ok();
}

}  // namespace berth::engine
