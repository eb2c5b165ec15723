// Reconcile after a daemon crash: the store is the truth for what should
// exist; the kernel is brought back in line with it.
#include <fmt/format.h>

#include "base/log.hpp"
#include "net/manager_impl.hpp"

namespace berth::net {

Result<ReconcileReport> ManagerImpl::do_reconcile(const std::set<std::string>& live) {
  ReconcileReport report;
  auto nets = TRY(store_->networks());
  // 1. Endpoints of containers that are gone: release lease and ports,
  //    delete the host veth if the kernel has not already.
  std::set<std::string> present;
  for (const auto& link : TRY(nl::list_links(*nl_))) present.insert(link.name);
  for (const auto& ep : TRY(store_->endpoints())) {
    if (live.contains(ep.container_id)) {
      if (!present.contains(ep.host_veth))
        report.broken_endpoints.push_back(ep.network_id.substr(0, 12) + "/" + ep.container_id);
      continue;
    }
    auto del = nl::delete_link(*nl_, ep.host_veth);
    if (!del && del.error().sys_errno() != ENODEV) return tl::unexpected(del.error());
    TRY(store_->remove_endpoint(ep.network_id, ep.container_id));
    report.removed_endpoints.push_back(ep.network_id.substr(0, 12) + "/" + ep.container_id);
  }
  // 2. berth-named links the store does not know: a veth created just
  //    before a crash, a bridge of a network whose removal was cut short.
  std::set<std::string> known;
  for (const auto& n : nets) known.insert(n.bridge);
  for (const auto& ep : TRY(store_->endpoints())) known.insert(ep.host_veth);
  for (const auto& link : TRY(nl::list_links(*nl_))) {
    bool ours =
        (link.kind == "veth" && link.name.starts_with(kVethPrefix) && link.name.size() == 10) ||
        (link.kind == "bridge" && link.name.starts_with(kUserBridgePrefix));
    if (!ours || known.contains(link.name)) continue;
    auto del = nl::delete_link(*nl_, link.name);
    // ENODEV: it was the peer of a veth deleted just before.
    if (!del && del.error().sys_errno() == ENODEV) continue;
    if (!del) return tl::unexpected(del.error());
    report.removed_links.push_back(link.name);
  }
  // 3. Bridges and addresses for every network, then the ruleset and the
  //    DNS records rebuilt from the store: stale rules vanish by
  //    construction, live containers keep theirs.
  for (const auto& n : nets) {
    TRY(ensure_bridge(n));
    if (n.has_dns()) TRY(serve_dns(n));
  }
  TRY(apply_full_ruleset());
  report.ruleset_rewritten = true;
  log::info("network reconcile done",
            {{"endpoints_removed", static_cast<int>(report.removed_endpoints.size())},
             {"links_removed", static_cast<int>(report.removed_links.size())}});
  return report;
}

Result<ReconcileReport> ManagerImpl::reconcile(const std::set<std::string>& live) {
  return worker_->call([&] { return do_reconcile(live); });
}

}  // namespace berth::net
