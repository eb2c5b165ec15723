// Unpack -> change in a container snapshot -> diff -> commit -> unpack the
// committed image: the new image's tree must equal the container's, for
// every snapshotter. Then GC: what a container uses survives image
// deletion; after the container goes, nothing is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "base/file.hpp"
#include "image/changes.hpp"
#include "image/create.hpp"
#include "image/gc.hpp"
#include "image/unpack.hpp"
#include "oci/image_config.hpp"
#include "snapshot/mount.hpp"
#include "support/btrfs_loop.hpp"
#include "support/root.hpp"
#include "support/tar_builder.hpp"
#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

using berth::test::TarBuilder;

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  return out;
}

// Type, mode, owner, size, link target and content hash of every entry.
std::string tree(const std::string& dir) {
  return run("cd " + dir + " && find . -mindepth 1 -printf '%p %y %m %U %G %s %l\\n' | sort && "
             "find . -type f -exec md5sum {} + | sort");
}

class CommitTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    BERTH_REQUIRE_ROOT();
    root_ = dir_ / "data";
    if (GetParam() == "btrfs") {
      loop_ = std::make_unique<berth::test::BtrfsLoop>(dir_.path());
      if (!loop_->ok()) GTEST_SKIP() << loop_->why();
      root_ = loop_->path() + "/data";
    }
    ASSERT_TRUE(make_dirs(root_));
    db_ = *store::Db::open(root_ + "/berth.db");
    content_ = std::move(*ContentStore::open(root_ + "/blobs"));
    images_ = std::move(*ImageStore::open(db_, *content_));
    leases_ = std::make_unique<Leases>(db_);
    auto s = snapshot::open_snapshotter(GetParam(), root_ + "/snapshots", db_);
    ASSERT_TRUE(s) << s.error().to_string();
    snaps_ = std::move(*s);
    for (auto* m : {&mnt_a_, &mnt_b_}) {
      *m = dir_ / (m == &mnt_a_ ? "a" : "b");
      ASSERT_EQ(::mkdir(m->c_str(), 0755), 0);
    }
  }
  void TearDown() override {
    for (auto* m : {&mnt_a_, &mnt_b_})
      if (!m->empty()) ::umount2(m->c_str(), MNT_DETACH);
    snaps_.reset();
    loop_.reset();
  }
  Context ctx() { return {*content_, *images_, *leases_}; }

  ImageRecord base_image() {
    TarBuilder::Opts secret;
    secret.mode = 0600;
    secret.uid = 1000;
    std::string tar = TarBuilder()
                          .dir("etc")
                          .file("etc/passwd", "root:x:0:0\n")
                          .file("etc/hosts", "127.0.0.1 localhost\n")
                          .file("etc/shadow", "x", secret)
                          .dir("opt")
                          .dir("opt/app")
                          .file("opt/app/old1", "1")
                          .file("opt/app/old2", "2")
                          .file("keep", "k")
                          .file("gone", "g")
                          .hardlink("keep-link", "keep")
                          .symlink("lnk", "/etc/passwd")
                          .finish();
    EXPECT_TRUE(write_file_atomic(dir_ / "base.tar", tar));
    auto fd = open_file(dir_ / "base.tar", O_RDONLY);
    auto c = ctx();
    ImportOptions opt;
    opt.tag = "base:1";
    opt.changes = {"CMD [\"/bin/sh\"]"};
    auto img = import_rootfs(c, fd->get(), opt);
    EXPECT_TRUE(img) << img.error().to_string();
    return *img;
  }

  berth::test::TempDir dir_{"berth-commit"};
  std::unique_ptr<berth::test::BtrfsLoop> loop_;
  std::string root_, mnt_a_, mnt_b_;
  std::shared_ptr<store::Db> db_;
  std::unique_ptr<ContentStore> content_;
  std::unique_ptr<ImageStore> images_;
  std::unique_ptr<Leases> leases_;
  std::unique_ptr<snapshot::Snapshotter> snaps_;
};

TEST_P(CommitTest, CommittedImageReproducesTheContainer) {
  auto base = base_image();
  auto top = unpack(*images_, *snaps_, base);
  ASSERT_TRUE(top) << top.error().to_string();
  ASSERT_TRUE(snaps_->prepare("ctr", *top));
  ASSERT_TRUE(snapshot::mount_all(*snaps_->mounts("ctr"), mnt_a_));
  const std::string& m = mnt_a_;
  ASSERT_TRUE(write_file_atomic(m + "/new", "fresh"));
  ASSERT_TRUE(write_file_atomic(m + "/etc/passwd", "root:x:0:0\nuser:x:1:1\n"));
  ASSERT_EQ(::unlink((m + "/etc/hosts").c_str()), 0);
  ASSERT_EQ(::unlink((m + "/gone").c_str()), 0);
  ASSERT_EQ(::chmod((m + "/etc/shadow").c_str(), 0640), 0);
  ASSERT_EQ(::system(("rm -rf " + m + "/opt/app && mkdir " + m + "/opt/app && echo only > " + m +
                      "/opt/app/only && ln -s /nowhere " + m + "/dangling")
                         .c_str()),
            0);
  std::string container_tree = tree(m);
  ASSERT_TRUE(snapshot::unmount(m));

  auto changes = compute_changes(*snaps_->diff_source("ctr"));
  ASSERT_TRUE(changes) << changes.error().to_string();
  std::set<std::string> seen;
  for (const auto& c : *changes) seen.insert(std::string(1, change_letter(c.kind)) + " " + c.path);
  for (const char* want : {"A /new", "C /etc/passwd", "D /etc/hosts", "D /gone", "C /etc/shadow",
                           "A /opt/app/only", "A /dangling", "C /etc"})
    EXPECT_TRUE(seen.count(want)) << want;
  EXPECT_FALSE(seen.count("C /keep"));
  EXPECT_FALSE(seen.count("C /lnk"));

  auto c = ctx();
  CommitOptions opt{"base:1", "tester <t@example.com>", "a commit", "sh", {"ENV COMMITTED=1"}, "committed:1", "", "", "", ""};
  auto img = commit_snapshot(c, *snaps_, "ctr", opt);
  ASSERT_TRUE(img) << img.error().to_string();
  ASSERT_EQ(img->layers.size(), 2u);
  EXPECT_EQ(img->layers[0].chain_id, base.layers[0].chain_id);
  auto config = *oci::parse_image_config(*content_->read(img->id));
  EXPECT_EQ(config.author, "tester <t@example.com>");
  EXPECT_EQ(config.history.back().comment, "a commit");
  EXPECT_EQ(*config.config.cmd, std::vector<std::string>{"/bin/sh"});  // inherited
  EXPECT_EQ(config.config.env, std::vector<std::string>{"COMMITTED=1"});

  auto new_top = unpack(*images_, *snaps_, *img);
  ASSERT_TRUE(new_top) << new_top.error().to_string();
  ASSERT_TRUE(snaps_->view("check", *new_top));
  ASSERT_TRUE(snapshot::mount_all(*snaps_->mounts("check"), mnt_b_));
  EXPECT_EQ(tree(mnt_b_), container_tree);
  ASSERT_TRUE(snapshot::unmount(mnt_b_));
  ASSERT_TRUE(snaps_->remove("check"));

  // Images gone, container still there: its chain must survive GC.
  ASSERT_TRUE(images_->remove(img->id, true, {}));
  ASSERT_TRUE(images_->remove(base.id, true, {}));
  auto gc = collect_garbage(*images_, *leases_, snaps_.get());
  ASSERT_TRUE(gc) << gc.error().to_string();
  EXPECT_EQ(gc->snapshots, std::vector<std::string>{*new_top});
  EXPECT_TRUE(snaps_->stat(*top));
  ASSERT_TRUE(snapshot::mount_all(*snaps_->mounts("ctr"), mnt_a_));
  EXPECT_EQ(tree(mnt_a_), container_tree);
  ASSERT_TRUE(snapshot::unmount(mnt_a_));
  ASSERT_TRUE(snaps_->remove("ctr"));
  gc = collect_garbage(*images_, *leases_, snaps_.get());
  ASSERT_TRUE(gc);
  int left = 0;
  ASSERT_TRUE(snaps_->walk([&](const snapshot::Info&) -> Result<> {
    ++left;
    return ok();
  }));
  EXPECT_EQ(left, 0);
  EXPECT_TRUE(content_->list()->empty());
  EXPECT_EQ(run("ls -A " + root_ + "/snapshots/" + std::string(snaps_->name()) + "/snapshots"), "");
}

INSTANTIATE_TEST_SUITE_P(All, CommitTest, ::testing::Values("overlayfs", "btrfs", "copy"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace berth::image
