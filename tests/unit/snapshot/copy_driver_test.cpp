// Snapshot logic that needs no mounts: the copy driver's trees, metadata
// rules and crash cleanup, and the tree copier's fidelity.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "snapshot/fs_tree.hpp"
#include "snapshot/snapshotter.hpp"
#include "support/temp_dir.hpp"

namespace berth::snapshot {
namespace {

class CopyDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = *store::Db::open(dir_ / "berth.db");
    auto s = open_copy(dir_ / "snapshots", db_);
    ASSERT_TRUE(s) << s.error().to_string();
    snap_ = std::move(*s);
  }
  berth::test::TempDir dir_{"berth-snap-unit"};
  std::shared_ptr<store::Db> db_;
  std::unique_ptr<Snapshotter> snap_;
};

TEST_F(CopyDriver, ChildIsAnIndependentCopyOfItsParent) {
  ASSERT_TRUE(snap_->prepare("a", ""));
  std::string a = *snap_->apply_dir("a");
  ASSERT_TRUE(write_file_atomic(a + "/file", "parent"));
  ASSERT_TRUE(snap_->commit("base", "a"));
  ASSERT_TRUE(snap_->prepare("child", "base"));
  std::string c = *snap_->apply_dir("child");
  EXPECT_EQ(*read_file(c + "/file"), "parent");
  ASSERT_TRUE(write_file_atomic(c + "/file", "child"));
  EXPECT_EQ(*read_file(a + "/file"), "parent");  // the committed tree is untouched
  auto src = snap_->diff_source("child");
  ASSERT_TRUE(src);
  EXPECT_EQ(src->style, WhiteoutStyle::Delete);
  EXPECT_EQ(src->base, a);
  EXPECT_EQ(src->upper, c);
  auto m = snap_->view("v", "base");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].source, a);
  EXPECT_EQ((*m)[0].options, (std::vector<std::string>{"rbind", "ro"}));
  EXPECT_FALSE(snap_->apply_dir("v"));  // views are not writable
}

TEST_F(CopyDriver, CommitRenamesWithoutMovingAndKeysStayUnique) {
  ASSERT_TRUE(snap_->prepare("a", ""));
  std::string tree = *snap_->apply_dir("a");
  ASSERT_TRUE(snap_->prepare("b", ""));
  ASSERT_TRUE(snap_->commit("layer", "a"));
  EXPECT_TRUE(snap_->commit("layer", "b").error().is(ErrorCategory::Conflict));
  EXPECT_EQ(snap_->stat("b")->kind, Kind::Active);  // the failed commit changed nothing
  EXPECT_EQ(snap_->stat("layer")->id, 1);
  EXPECT_EQ(::access(tree.c_str(), F_OK), 0);
}

TEST(FsTree, CopyKeepsLinksModesTimesAndUsageCountsHardlinksOnce) {
  berth::test::TempDir dir("berth-fstree");
  std::string src = dir / "src", dst = dir / "dst";
  ASSERT_EQ(::mkdir(src.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dst.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((src + "/d").c_str(), 0750), 0);
  ASSERT_TRUE(write_file_atomic(src + "/d/f", std::string(100000, 'x'), 0640));
  ASSERT_EQ(::link((src + "/d/f").c_str(), (src + "/hl").c_str()), 0);
  ASSERT_EQ(::symlink("/nowhere", (src + "/sl").c_str()), 0);
  ASSERT_EQ(::mkfifo((src + "/fifo").c_str(), 0600), 0);
  timespec ts[2] = {{1500000000, 123}, {1500000000, 456}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (src + "/d/f").c_str(), ts, 0), 0);
  ASSERT_TRUE(copy_tree(src, dst));
  struct stat f{}, h{}, d{}, s{}, p{};
  ASSERT_EQ(::lstat((dst + "/d/f").c_str(), &f), 0);
  ASSERT_EQ(::lstat((dst + "/hl").c_str(), &h), 0);
  ASSERT_EQ(::lstat((dst + "/d").c_str(), &d), 0);
  ASSERT_EQ(::lstat((dst + "/sl").c_str(), &s), 0);
  ASSERT_EQ(::lstat((dst + "/fifo").c_str(), &p), 0);
  EXPECT_EQ(f.st_ino, h.st_ino);
  EXPECT_EQ(f.st_mode & 07777, 0640u);
  EXPECT_EQ(d.st_mode & 07777, 0750u);
  EXPECT_EQ(f.st_mtim.tv_nsec, 456);
  EXPECT_TRUE(S_ISLNK(s.st_mode));
  EXPECT_TRUE(S_ISFIFO(p.st_mode));
  auto u = tree_usage(dst);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->inodes, 4);  // d, d/f (hl is the same inode), sl, fifo
  EXPECT_LT(u->size, 2 * 100000 + 64 * 1024);
  ASSERT_TRUE(remove_tree(dst));
  EXPECT_NE(::access(dst.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace berth::snapshot
