// btrfs: every snapshot is a subvolume. A layer is a snapshot of its
// parent's subvolume made read-only on commit; a container is a writable
// snapshot of its image's top layer (Kawakaze's image = snapshot,
// container = clone model). Done with the btrfs ioctls directly, never
// the btrfs binary.
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/stat.h>

#include <cstring>

#include "base/file.hpp"
#include "snapshot/driver_base.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::snapshot {

namespace {

class Btrfs final : public DriverBase {
 public:
  Btrfs(std::string dir, UniqueFd fd, Metadata meta)
      : DriverBase(std::move(dir), std::move(fd), std::move(meta)) {}
  using DriverBase::cleanup_orphans;
  std::string_view name() const override { return "btrfs"; }
  WhiteoutStyle whiteout_style() const override { return WhiteoutStyle::Delete; }

 protected:
  std::string tree(int64_t id) const override { return path(id); }

  Result<> create(int64_t id, const std::optional<Info>& parent, Kind kind) override {
    std::string n = std::to_string(id);
    if (!parent) {
      btrfs_ioctl_vol_args args{};
      std::strncpy(args.name, n.c_str(), BTRFS_PATH_NAME_MAX);
      if (::ioctl(dir_fd_.get(), BTRFS_IOC_SUBVOL_CREATE, &args) < 0)
        return sys_error("create subvolume " + n);
      if (kind == Kind::View) TRY(set_readonly(n, true));
      return ok();
    }
    auto src = TRY(open_at(dir_fd_.get(), std::to_string(parent->id), O_RDONLY | O_DIRECTORY));
    btrfs_ioctl_vol_args_v2 args{};
    args.fd = src.get();
    args.flags = kind == Kind::View ? BTRFS_SUBVOL_RDONLY : 0;
    std::strncpy(args.name, n.c_str(), BTRFS_SUBVOL_NAME_MAX);
    if (::ioctl(dir_fd_.get(), BTRFS_IOC_SNAP_CREATE_V2, &args) < 0)
      return sys_error("snapshot subvolume " + std::to_string(parent->id));
    return ok();
  }

  Result<> freeze(const Info& info) override { return set_readonly(std::to_string(info.id), true); }

  Result<> destroy(const std::string& name) override {
    struct stat st{};
    if (::fstatat(dir_fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return errno == ENOENT ? ok() : sys_error("stat " + name);
    // Inode 256 is the root of a subvolume; anything else is a plain dir.
    if (st.st_ino != 256) return remove_tree_at(dir_fd_.get(), name);
    btrfs_ioctl_vol_args args{};
    std::strncpy(args.name, name.c_str(), BTRFS_PATH_NAME_MAX);
    if (::ioctl(dir_fd_.get(), BTRFS_IOC_SNAP_DESTROY, &args) < 0)
      return sys_error("destroy subvolume " + name);
    return ok();
  }

  Result<std::vector<Mount>> mounts_for(const Info& info) override {
    bool ro = info.kind != Kind::Active;
    return std::vector<Mount>{{"bind", tree(info.id), {"rbind", ro ? "ro" : "rw"}}};
  }

 private:
  Result<> set_readonly(const std::string& name, bool ro) {
    auto fd = TRY(open_at(dir_fd_.get(), name, O_RDONLY | O_DIRECTORY));
    uint64_t flags = 0;
    if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_GETFLAGS, &flags) < 0) return sys_error("subvolume flags");
    flags = ro ? (flags | BTRFS_SUBVOL_RDONLY) : (flags & ~uint64_t{BTRFS_SUBVOL_RDONLY});
    if (::ioctl(fd.get(), BTRFS_IOC_SUBVOL_SETFLAGS, &flags) < 0)
      return sys_error("make subvolume " + name + " read-only");
    return ok();
  }
};

}  // namespace

Result<std::unique_ptr<Snapshotter>> open_btrfs(const std::string& root,
                                                std::shared_ptr<store::Db> db) {
  TRY(make_dirs(root, 0700));
  struct statfs fs{};
  if (::statfs(root.c_str(), &fs) < 0) return sys_error("statfs " + root);
  if (fs.f_type != BTRFS_SUPER_MAGIC)
    return make_error(ErrorCategory::Unavailable, root + " is not on btrfs");
  auto [dir, fd] = TRY(driver_dir(root, "btrfs"));
  auto meta = TRY(Metadata::open(std::move(db), "btrfs"));
  auto s = std::make_unique<Btrfs>(dir, std::move(fd), std::move(meta));
  TRY(s->cleanup_orphans());
  return std::unique_ptr<Snapshotter>(std::move(s));
}

}  // namespace berth::snapshot
