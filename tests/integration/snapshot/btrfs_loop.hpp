// A btrfs filesystem on a loop file, made and mounted by the test (tests
// may run mkfs.btrfs and mount; product code uses ioctls only).
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <string>

namespace berth::test {

class BtrfsLoop {
 public:
  explicit BtrfsLoop(const std::string& base) : image_(base + "/btrfs.img"), mnt_(base + "/btrfs") {
    if (::access("/usr/sbin/mkfs.btrfs", X_OK) != 0 && ::access("/sbin/mkfs.btrfs", X_OK) != 0) {
      why_ = "mkfs.btrfs not installed";
      return;
    }
    std::string cmd = "truncate -s 1G " + image_ + " && mkfs.btrfs -q " + image_ +
                      " >/dev/null 2>&1 && mkdir -p " + mnt_ + " && mount -o loop " + image_ +
                      " " + mnt_;
    if (::system(cmd.c_str()) != 0) {
      why_ = "cannot create or mount a btrfs loop file";
      return;
    }
    mounted_ = true;
  }
  ~BtrfsLoop() {
    if (mounted_) ::umount2(mnt_.c_str(), MNT_DETACH);
    ::unlink(image_.c_str());
  }
  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return mnt_; }

 private:
  std::string image_, mnt_, why_;
  bool mounted_ = false;
};

}  // namespace berth::test
