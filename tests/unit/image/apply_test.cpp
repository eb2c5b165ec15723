#include "image/apply.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/file.hpp"
#include "image/sha256.hpp"
#include "support/tar_builder.hpp"
#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

using berth::test::TarBuilder;

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  }

  Result<ApplyResult> apply(const std::string& tar, ApplyOptions opt = {}) {
    std::string path = dir_ / "layer";
    EXPECT_TRUE(write_file_atomic(path, tar));
    auto layer = TRY(open_file(path, O_RDONLY));
    auto root = TRY(open_file(root_, O_RDONLY | O_DIRECTORY));
    return apply_layer(root.get(), layer.get(), opt);
  }

  struct stat lstat_of(const std::string& rel) {
    struct stat st{};
    st.st_mode = 0;
    ::lstat((root_ + "/" + rel).c_str(), &st);
    return st;
  }
  std::string content(const std::string& rel) {
    auto r = read_file(root_ + "/" + rel);
    return r ? *r : "<missing>";
  }
  bool exists(const std::string& rel) { return lstat_of(rel).st_mode != 0; }

  berth::test::TempDir dir_{"berth-apply"};
  std::string root_;
};

TEST_F(ApplyTest, UnpacksFilesDirsLinksWithMetadata) {
  TarBuilder t;
  t.dir("etc", {.mode = 0750, .uid = 0, .gid = 0, .mtime = 1600000000, .xattrs = {}})
      .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", {.mode = 0640, .uid = 12, .gid = 34, .mtime = 1500000000, .xattrs = {{"user.k", "v"}}})
      .file("bin/su", "binary", {.mode = 04755, .uid = 0, .gid = 0, .mtime = 1500000000, .xattrs = {}})
      .symlink("bin/sh", "/bin/busybox")
      .hardlink("etc/passwd-", "etc/passwd")
      .device("fifo", AE_IFIFO, 0, 0);
  std::string tar = t.finish();
  auto r = apply(tar);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->diff_id, sha256_digest(tar));
  EXPECT_EQ(r->blob_digest, r->diff_id);  // uncompressed: the same bytes
  EXPECT_EQ(r->entries, 6u);
  EXPECT_EQ(content("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  auto st = lstat_of("etc/passwd");
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_mtime, 1500000000);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 12u);
    EXPECT_EQ(st.st_gid, 34u);
  }
  EXPECT_EQ(lstat_of("bin/su").st_mode & 07777, 04755u);  // setuid kept inside the root
  EXPECT_EQ(lstat_of("etc").st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of("etc").st_mtime, 1600000000);  // set after its children were made
  EXPECT_TRUE(S_ISLNK(lstat_of("bin/sh").st_mode));
  EXPECT_EQ(lstat_of("etc/passwd-").st_ino, st.st_ino);
  EXPECT_TRUE(S_ISFIFO(lstat_of("fifo").st_mode));
  char v[8] = {};
  EXPECT_EQ(::getxattr((root_ + "/etc/passwd").c_str(), "user.k", v, sizeof v), 1);
}

TEST_F(ApplyTest, GzipAndZstdGiveTheSameTreeAndDiffId) {
  auto build = [](const std::string& filter) {
    TarBuilder t(filter);
    t.dir("d").file("d/a", std::string(100000, 'a')).file("b", "b");
    return t.finish();
  };
  std::string plain = build("none");
  for (const std::string filter : {"gzip", "zstd"}) {
    SCOPED_TRACE(filter);
    std::string tar = build(filter);
    ASSERT_NE(tar, plain);
    auto r = apply(tar);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->diff_id, sha256_digest(plain));
    EXPECT_EQ(r->blob_digest, sha256_digest(tar));
    EXPECT_EQ(content("d/a"), std::string(100000, 'a'));
  }
}

TEST_F(ApplyTest, ExpectedDiffIdIsChecked) {
  ApplyOptions opt;
  opt.expected_diff_id = "sha256:" + std::string(64, '0');
  auto r = apply(TarBuilder().file("a", "a").finish(), opt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("diff ID mismatch"), std::string::npos);
}

TEST_F(ApplyTest, WhiteoutsDeleteForFullTreeSnapshotters) {
  ASSERT_TRUE(apply(TarBuilder().dir("a").file("a/x", "x").file("a/y", "y").dir("o").file("o/old", "1").file("keep", "k").file("gone", "g").finish()));
  auto r = apply(TarBuilder()
                     .file("a/.wh.x", "")
                     .dir("o")
                     .file("o/new", "2")
                     .file("o/.wh..wh..opq", "")
                     .file(".wh.keep-not-there", "")
                     .file(".wh.gone", "")
                     .finish());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(exists("a/x"));
  EXPECT_TRUE(exists("a/y"));
  EXPECT_FALSE(exists("o/old"));  // hidden by the opaque marker
  EXPECT_EQ(content("o/new"), "2");  // written by this layer, kept
  EXPECT_TRUE(exists("keep"));
  EXPECT_FALSE(exists("gone"));  // a whiteout at the top level
  EXPECT_FALSE(exists("a/.wh.x"));
}

TEST_F(ApplyTest, ReplacesAcrossTypes) {
  ASSERT_TRUE(apply(TarBuilder().dir("d").file("d/f", "x").file("f", "file").finish()));
  auto r = apply(TarBuilder().file("d", "now a file").dir("f").file("f/inner", "i").finish());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(content("d"), "now a file");
  EXPECT_EQ(content("f/inner"), "i");
}

TEST_F(ApplyTest, SparseFilesStaySparse) {
  // GNU tar writes the sparse map; berth must keep the holes.
  std::string src = dir_ / "src";
  ASSERT_EQ(::mkdir(src.c_str(), 0755), 0);
  {
    auto fd = open_file(src + "/sparse", O_WRONLY | O_CREAT, 0644);
    ASSERT_TRUE(fd);
    ASSERT_EQ(::pwrite(fd->get(), "end", 3, 64 << 20), 3);
  }
  std::string tar_path = dir_ / "sparse.tar";
  ASSERT_EQ(::system(("tar -C " + src + " --sparse --format=pax -cf " + tar_path + " sparse").c_str()), 0);
  auto tar = read_file(tar_path);
  ASSERT_TRUE(tar);
  EXPECT_LT(tar->size(), 1u << 20);
  auto r = apply(*tar);
  ASSERT_TRUE(r) << r.error().to_string();
  auto st = lstat_of("sparse");
  EXPECT_EQ(st.st_size, (64 << 20) + 3);
  EXPECT_LT(st.st_blocks * 512, 1 << 20);  // not 64 MiB of zeros on disk
  auto fd = open_file(root_ + "/sparse", O_RDONLY);
  ASSERT_TRUE(fd);
  char buf[4] = {};
  ASSERT_EQ(::pread(fd->get(), buf, 3, 64 << 20), 3);
  EXPECT_STREQ(buf, "end");
}

TEST_F(ApplyTest, LimitsStopBombs) {
  ApplyOptions opt;
  opt.limits.max_bytes = 1 << 20;
  auto bomb = TarBuilder("gzip").zeros("zeros", 8 << 20).finish();
  EXPECT_LT(bomb.size(), 100000u);
  auto r = apply(bomb, opt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("decompression bomb"), std::string::npos);
  ApplyOptions few;
  few.limits.max_entries = 3;
  TarBuilder many;
  for (int i = 0; i < 10; ++i) many.file("f" + std::to_string(i), "x");
  auto r2 = apply(many.finish(), few);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message().find("more than 3 entries"), std::string::npos);
}

TEST_F(ApplyTest, GarbageIsNotATar) {
  auto r = apply(std::string(5000, 'z'));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::InvalidArgument));
}

}  // namespace
}  // namespace berth::image
