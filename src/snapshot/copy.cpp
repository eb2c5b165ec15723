// copy: the fallback that works on any filesystem. An active snapshot is
// a full copy of its parent's tree (reflinked where the filesystem can,
// e.g. XFS or btrfs); views bind the parent read-only without copying.
#include <fcntl.h>
#include <sys/stat.h>

#include "snapshot/driver_base.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::snapshot {

namespace {

class Copy final : public DriverBase {
 public:
  Copy(std::string dir, UniqueFd fd, Metadata meta)
      : DriverBase(std::move(dir), std::move(fd), std::move(meta)) {}
  using DriverBase::cleanup_orphans;
  std::string_view name() const override { return "copy"; }
  WhiteoutStyle whiteout_style() const override { return WhiteoutStyle::Delete; }

 protected:
  std::string tree(int64_t id) const override { return path(id) + "/fs"; }

  Result<> create(int64_t id, const std::optional<Info>& parent, Kind kind) override {
    std::string p = std::to_string(id);
    if (::mkdirat(dir_fd_.get(), p.c_str(), 0700) < 0) return sys_error("mkdir snapshot " + p);
    if (::mkdirat(dir_fd_.get(), (p + "/fs").c_str(), 0755) < 0) return sys_error("mkdir fs");
    if (parent && kind == Kind::Active) TRY(copy_tree(tree(parent->id), tree(id)));
    return ok();
  }

  Result<> destroy(const std::string& name) override { return remove_tree_at(dir_fd_.get(), name); }

  Result<std::vector<Mount>> mounts_for(const Info& info) override {
    if (info.kind == Kind::View) {
      auto parents = TRY(parent_trees(info));
      return std::vector<Mount>{
          {"bind", parents.empty() ? tree(info.id) : parents.front(), {"rbind", "ro"}}};
    }
    bool ro = info.kind != Kind::Active;
    return std::vector<Mount>{{"bind", tree(info.id), {"rbind", ro ? "ro" : "rw"}}};
  }
};

}  // namespace

Result<std::unique_ptr<Snapshotter>> open_copy(const std::string& root,
                                               std::shared_ptr<store::Db> db) {
  auto [dir, fd] = TRY(driver_dir(root, "copy"));
  auto meta = TRY(Metadata::open(std::move(db), "copy"));
  auto s = std::make_unique<Copy>(dir, std::move(fd), std::move(meta));
  TRY(s->cleanup_orphans());
  return std::unique_ptr<Snapshotter>(std::move(s));
}

Result<std::unique_ptr<Snapshotter>> open_snapshotter(std::string_view driver,
                                                      const std::string& root,
                                                      std::shared_ptr<store::Db> db) {
  if (driver == "overlayfs" || driver == "overlay" || driver == "overlay2")
    return open_overlay(root, std::move(db));
  if (driver == "btrfs") return open_btrfs(root, std::move(db));
  if (driver == "copy" || driver == "vfs") return open_copy(root, std::move(db));
  return make_error(ErrorCategory::InvalidArgument, "unknown snapshotter " + std::string(driver));
}

}  // namespace berth::snapshot
