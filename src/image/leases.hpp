// Leases pin resources against garbage collection: a container holds one
// on its image and snapshot, a pull holds one on the blobs it has written
// until the image record that references them exists.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "store/db.hpp"

namespace berth::image {

enum class LeaseKind { Content, Snapshot, Image };

class Leases {
 public:
  explicit Leases(std::shared_ptr<store::Db> db) : db_(std::move(db)) {}

  // Creates lease `id` (a random one if empty); returns its id.
  Result<std::string> create(std::string id = {});
  Result<> add(const std::string& lease, LeaseKind kind, const std::string& name);
  // Deleting a lease releases everything it held.
  Result<> remove(const std::string& lease);
  // Every name of `kind` held by any lease.
  Result<std::set<std::string>> held(LeaseKind kind);
  Result<bool> is_held(LeaseKind kind, const std::string& name);

 private:
  std::shared_ptr<store::Db> db_;
};

std::string_view lease_kind_name(LeaseKind kind);

}  // namespace berth::image
