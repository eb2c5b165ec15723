// What the three snapshotters share: metadata rows, parent checks, the
// create/commit/remove transactions and orphan cleanup. A driver supplies
// how a tree is made, frozen, destroyed and mounted.
//
// Layout: <root>/<driver>/snapshots/<id>; ids come from the metadata row,
// so a key can be renamed on commit without moving files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "snapshot/metadata.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::snapshot {

class DriverBase : public Snapshotter {
 public:
  Result<std::vector<Mount>> prepare(const std::string& key, const std::string& parent) override;
  Result<std::vector<Mount>> view(const std::string& key, const std::string& parent) override;
  Result<std::vector<Mount>> mounts(const std::string& key) override;
  Result<> commit(const std::string& name, const std::string& key) override;
  Result<> remove(const std::string& key) override;
  Result<std::function<Result<>()>> remove_deferred(const std::string& key) override;
  Result<Info> stat(const std::string& key) override;
  Result<Usage> usage(const std::string& key) override;
  Result<> walk(const std::function<Result<>(const Info&)>& fn) override;
  Result<std::string> apply_dir(const std::string& key) override;
  Result<DiffSource> diff_source(const std::string& key) override;

 protected:
  DriverBase(std::string dir, UniqueFd dir_fd, Metadata meta)
      : dir_(std::move(dir)), dir_fd_(std::move(dir_fd)), meta_(std::move(meta)) {}
  // Removes directories without a metadata row (left by a crash).
  Result<> cleanup_orphans();

  std::string path(int64_t id) const { return dir_ + "/" + std::to_string(id); }
  // Where the files of snapshot `id` live.
  virtual std::string tree(int64_t id) const = 0;
  // Materialises snapshot `id` (parent: the committed parent, if any).
  virtual Result<> create(int64_t id, const std::optional<Info>& parent, Kind kind) = 0;
  virtual Result<> freeze(const Info&) { return ok(); }
  // Destroys the entry `name` (an id or a trash name) under dir_.
  virtual Result<> destroy(const std::string& name) = 0;
  virtual Result<std::vector<Mount>> mounts_for(const Info& info) = 0;
  Result<std::vector<std::string>> parent_trees(const Info& info);

  std::string dir_;
  UniqueFd dir_fd_;
  Metadata meta_;

 private:
  Result<std::vector<Mount>> create_snapshot(const std::string& key, const std::string& parent,
                                             Kind kind);
};

// Opens (creating) <root>/<driver>/snapshots.
Result<std::pair<std::string, UniqueFd>> driver_dir(const std::string& root,
                                                    const std::string& driver);

}  // namespace berth::snapshot
