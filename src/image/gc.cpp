#include "image/gc.hpp"

#include <map>

namespace berth::image {

namespace {

Result<std::vector<std::string>> collect_snapshots(ImageStore& images, Leases& leases,
                                                   snapshot::Snapshotter& snapshots) {
  std::vector<std::string> removed;
  while (true) {
    std::map<std::string, snapshot::Info> all;
    TRY(snapshots.walk([&](const snapshot::Info& i) -> Result<> {
      all[i.key] = i;
      return ok();
    }));
    std::set<std::string> keep = TRY(images.referenced_chain_ids());
    for (const auto& k : TRY(leases.held(LeaseKind::Snapshot))) keep.insert(k);
    // Active and view snapshots (containers, unpacks in flight) stay, and
    // so does every ancestor of something kept.
    for (const auto& [key, info] : all)
      if (info.kind != snapshot::Kind::Committed) keep.insert(key);
    std::set<std::string> has_child;
    for (const auto& [key, info] : all)
      if (!info.parent.empty()) has_child.insert(info.parent);
    std::vector<std::string> work(keep.begin(), keep.end());
    while (!work.empty()) {
      auto it = all.find(work.back());
      work.pop_back();
      if (it != all.end() && !it->second.parent.empty() && keep.insert(it->second.parent).second)
        work.push_back(it->second.parent);
    }
    // Remove unneeded leaves; repeat, since their parents may become leaves.
    size_t before = removed.size();
    for (const auto& [key, info] : all) {
      if (keep.count(key) || has_child.count(key)) continue;
      TRY_CTX(snapshots.remove(key), "garbage-collect snapshot " + key);
      removed.push_back(key);
    }
    if (removed.size() == before) return removed;
  }
}

}  // namespace

Result<GcResult> collect_garbage(ImageStore& images, Leases& leases,
                                 snapshot::Snapshotter* snapshots) {
  GcResult result;
  if (snapshots) result.snapshots = TRY(collect_snapshots(images, leases, *snapshots));
  result.blobs = TRY(images.content().sweep([&]() -> Result<std::set<std::string>> {
    auto keep = TRY(images.referenced_blobs());
    for (const auto& d : TRY(leases.held(LeaseKind::Content))) keep.insert(d);
    return keep;
  }));
  return result;
}

}  // namespace berth::image
