// Snapshot metadata rows shared by every driver (table snapshots in
// berth.db). A row and its directory are created in one transaction: the
// directory is made before COMMIT, so a crash leaves at worst a directory
// without a row, which the driver removes when it next opens.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "snapshot/snapshotter.hpp"
#include "store/db.hpp"

namespace berth::snapshot {

class Metadata {
 public:
  static Result<Metadata> open(std::shared_ptr<store::Db> db, std::string driver);

  store::Db& db() { return *db_; }
  // Inserts a row; returns its id. Runs inside the caller's transaction.
  Result<int64_t> insert(const std::string& key, const std::optional<int64_t>& parent, Kind kind);
  Result<Info> get(const std::string& key);
  Result<Info> get_by_id(int64_t id);
  // Renames an active snapshot to `name` and marks it committed.
  Result<> mark_committed(int64_t id, const std::string& name);
  Result<> erase(int64_t id);
  Result<int64_t> child_count(int64_t id);
  // The chain of committed parents, nearest first (ids).
  Result<std::vector<int64_t>> parent_ids(const Info& info);
  Result<std::vector<Info>> all();
  Result<std::set<int64_t>> ids();

 private:
  Metadata(std::shared_ptr<store::Db> db, std::string driver)
      : db_(std::move(db)), driver_(std::move(driver)) {}
  Result<Info> query_one(const std::string& where, const std::string& arg);

  std::shared_ptr<store::Db> db_;
  std::string driver_;
};

}  // namespace berth::snapshot
