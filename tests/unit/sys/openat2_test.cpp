#include "sys/openat2.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"

namespace berth::sys {
namespace {

class OpenInRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-openat2-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    ASSERT_EQ(::mkdir((base_ + "/root").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((base_ + "/root/etc").c_str(), 0755), 0);
    ASSERT_TRUE(write_file_atomic(base_ + "/root/etc/inside", "inside"));
    ASSERT_TRUE(write_file_atomic(base_ + "/outside", "host secret"));
    auto fd = open_file(base_ + "/root", O_PATH | O_DIRECTORY);
    ASSERT_TRUE(fd);
    root_ = std::move(*fd);
  }
  void TearDown() override { (void)!::system(("rm -rf " + base_).c_str()); }

  std::string read(const std::string& path) {
    auto fd = open_in_root(root_.get(), path, O_RDONLY);
    if (!fd) return "ERR:" + fd.error().to_string();
    return *read_fd(fd->get());
  }

  std::string base_;
  UniqueFd root_;
};

TEST_F(OpenInRootTest, AbsolutePathsAreRelativeToRoot) {
  EXPECT_EQ(read("/etc/inside"), "inside");
  EXPECT_EQ(read("etc/inside"), "inside");
}

TEST_F(OpenInRootTest, DotDotCannotClimbOut) {
  // "/../outside" resolves to <root>/outside, which does not exist.
  EXPECT_EQ(read("/../outside").rfind("ERR:", 0), 0u);
  EXPECT_EQ(read("../../../../outside").rfind("ERR:", 0), 0u);
}

TEST_F(OpenInRootTest, AbsoluteSymlinkStaysInside) {
  ASSERT_EQ(::symlink((base_ + "/outside").c_str(), (base_ + "/root/evil").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/inside", (base_ + "/root/good").c_str()), 0);
  EXPECT_EQ(read("/evil").rfind("ERR:", 0), 0u);  // host path not reachable
  EXPECT_EQ(read("/good"), "inside");             // resolved in root
}

TEST_F(OpenInRootTest, RelativeSymlinkEscapeIsClamped) {
  ASSERT_EQ(::symlink("../../outside", (base_ + "/root/etc/up").c_str()), 0);
  EXPECT_EQ(read("/etc/up").rfind("ERR:", 0), 0u);
}

TEST_F(OpenInRootTest, MagicLinksRefused) {
  ASSERT_EQ(::symlink("/proc/self/root/etc/passwd", (base_ + "/root/magic").c_str()), 0);
  ASSERT_EQ(::mkdir((base_ + "/root/proc").c_str(), 0755), 0);
  EXPECT_EQ(read("/magic").rfind("ERR:", 0), 0u);
}

TEST_F(OpenInRootTest, CreateUsesModeAndStaysInside) {
  auto fd = open_in_root(root_.get(), "/etc/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(fd) << fd.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat((base_ + "/root/etc/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(OpenInRootTest, NoSymlinksFlagRefusesAnySymlink) {
  ASSERT_EQ(::symlink("/etc/inside", (base_ + "/root/good").c_str()), 0);
  auto fd = open_in_root(root_.get(), "/good", O_RDONLY, 0, RESOLVE_NO_SYMLINKS);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().sys_errno(), ELOOP);
}

}  // namespace
}  // namespace berth::sys
