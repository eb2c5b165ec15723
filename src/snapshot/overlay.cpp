// overlayfs: a committed layer is a directory used as an overlay lower;
// an active snapshot is an upper + work dir over its parent chain. Layer
// apply writes straight into the upper dir with overlay whiteouts, so no
// mount is needed to unpack an image.
#include <fcntl.h>
#include <sys/stat.h>

#include "base/strings.hpp"
#include "snapshot/driver_base.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::snapshot {

namespace {

class Overlay final : public DriverBase {
 public:
  Overlay(std::string dir, UniqueFd fd, Metadata meta)
      : DriverBase(std::move(dir), std::move(fd), std::move(meta)) {}
  using DriverBase::cleanup_orphans;
  std::string_view name() const override { return "overlayfs"; }
  WhiteoutStyle whiteout_style() const override { return WhiteoutStyle::Overlay; }

 protected:
  std::string tree(int64_t id) const override { return path(id) + "/fs"; }

  Result<> create(int64_t id, const std::optional<Info>&, Kind) override {
    std::string p = std::to_string(id);
    if (::mkdirat(dir_fd_.get(), p.c_str(), 0700) < 0) return sys_error("mkdir snapshot " + p);
    if (::mkdirat(dir_fd_.get(), (p + "/fs").c_str(), 0755) < 0) return sys_error("mkdir fs");
    if (::mkdirat(dir_fd_.get(), (p + "/work").c_str(), 0700) < 0) return sys_error("mkdir work");
    return ok();
  }

  Result<> destroy(const std::string& name) override { return remove_tree_at(dir_fd_.get(), name); }

  Result<std::vector<Mount>> mounts_for(const Info& info) override {
    auto parents = TRY(parent_trees(info));
    bool ro = info.kind != Kind::Active;
    if (info.kind == Kind::Committed) parents.insert(parents.begin(), tree(info.id));
    if (info.kind == Kind::Active && parents.empty())
      return std::vector<Mount>{{"bind", tree(info.id), {"rbind", "rw"}}};
    if (ro && parents.size() <= 1) {
      std::string src = parents.empty() ? tree(info.id) : parents.front();
      return std::vector<Mount>{{"bind", src, {"rbind", "ro"}}};
    }
    Mount m{"overlay", "overlay", {"index=off"}};
    if (ro) {
      m.options.push_back("ro");
    } else {
      m.options.push_back("upperdir=" + tree(info.id));
      m.options.push_back("workdir=" + path(info.id) + "/work");
    }
    m.options.push_back("lowerdir=" + join(parents, ":"));
    return std::vector<Mount>{m};
  }
};

}  // namespace

Result<std::unique_ptr<Snapshotter>> open_overlay(const std::string& root,
                                                  std::shared_ptr<store::Db> db) {
  auto [dir, fd] = TRY(driver_dir(root, "overlayfs"));
  auto meta = TRY(Metadata::open(std::move(db), "overlayfs"));
  auto s = std::make_unique<Overlay>(dir, std::move(fd), std::move(meta));
  TRY(s->cleanup_orphans());
  return std::unique_ptr<Snapshotter>(std::move(s));
}

}  // namespace berth::snapshot
