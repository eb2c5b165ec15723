// berth image bootstrap: the busybox tree, the debootstrap clean-up, and
// a bootstrapped busybox image recorded, tagged and unpackable.
#include "image/bootstrap.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/file.hpp"
#include "image/leases.hpp"
#include "image/unpack.hpp"
#include "oci/image_config.hpp"
#include "support/root.hpp"
#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

constexpr const char* kBusybox = "/bin/busybox";

struct stat stat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

TEST(Bootstrap, BusyboxTreeHasAppletsUsersAndDirectories) {
  BERTH_REQUIRE_ROOT();
  if (::access(kBusybox, X_OK) != 0) GTEST_SKIP() << "no " << kBusybox;
  berth::test::TempDir dir{"berth-bootstrap"};
  auto root = open_file(dir.path(), O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(root);
  std::vector<std::string> log;
  auto built = detail::build_busybox_tree(root->get(), kBusybox, [&](const std::string& l) { log.push_back(l); });
  ASSERT_TRUE(built) << built.error().to_string();
  auto bb = stat_of(dir / "bin/busybox");
  EXPECT_EQ(bb.st_mode & 07777, 0755u);
  EXPECT_EQ(bb.st_size, stat_of(kBusybox).st_size);
  // Applets are hard links to the one binary, as in Docker Hub's image.
  EXPECT_EQ(stat_of(dir / "bin/sh").st_ino, bb.st_ino);
  EXPECT_EQ(stat_of(dir / "bin/echo").st_ino, bb.st_ino);
  EXPECT_GT(bb.st_nlink, 100u);
  EXPECT_EQ(stat_of(dir / "tmp").st_mode & 07777, 01777u);
  EXPECT_EQ(stat_of(dir / "root").st_mode & 07777, 0700u);
  EXPECT_EQ(read_file(dir / "etc/passwd")->rfind("root:x:0:0:", 0), 0u);
  EXPECT_NE(read_file(dir / "etc/group")->find("nogroup:x:65534:"), std::string::npos);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("applets linked"), std::string::npos);
}

TEST(Bootstrap, NotABusyboxIsRefused) {
  BERTH_REQUIRE_ROOT();
  berth::test::TempDir dir{"berth-bootstrap"};
  auto root = open_file(dir.path(), O_RDONLY | O_DIRECTORY);
  auto built = detail::build_busybox_tree(root->get(), "/bin/false", {});
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().to_string().find("is it busybox"), std::string::npos);
}

// What debootstrap leaves behind that an image must not carry; the rest
// of the tree (symlinks in /dev, empty partial dirs, config) stays.
TEST(Bootstrap, DebianCleanUpRemovesCachesAndDeviceNodesOnly) {
  BERTH_REQUIRE_ROOT();
  berth::test::TempDir dir{"berth-bootstrap"};
  for (const char* d : {"var/cache/apt/archives/partial", "var/lib/apt/lists/partial", "dev/pts", "etc", "var/log"})
    ASSERT_TRUE(make_dirs(dir / d));
  for (const char* f : {"var/cache/apt/archives/libc6_2.36_amd64.deb", "var/cache/apt/archives/lock",
                        "var/cache/apt/archives/partial/x.deb", "var/cache/apt/pkgcache.bin",
                        "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", "etc/debian_version",
                        "var/log/bootstrap.log", "var/log/keep.log"})
    ASSERT_TRUE(write_file_atomic(dir / f, "x"));
  ASSERT_EQ(::mknod((dir / "dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod((dir / "dev/pts/ptmx").c_str(), S_IFCHR | 0666, makedev(5, 2)), 0);
  ASSERT_EQ(::symlink("/proc/self/fd", (dir / "dev/fd").c_str()), 0);
  auto root = open_file(dir.path(), O_RDONLY | O_DIRECTORY);
  auto cleaned = detail::clean_debian_tree(root->get());
  ASSERT_TRUE(cleaned) << cleaned.error().to_string();
  for (const char* gone : {"var/cache/apt/archives/libc6_2.36_amd64.deb", "var/cache/apt/archives/partial/x.deb",
                           "var/cache/apt/pkgcache.bin", "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease",
                           "var/log/bootstrap.log", "dev/null", "dev/pts/ptmx"})
    EXPECT_FALSE(exists(dir / gone)) << gone;
  for (const char* kept : {"var/cache/apt/archives/lock", "var/cache/apt/archives/partial", "var/lib/apt/lists/partial",
                           "etc/debian_version", "var/log/keep.log", "dev/fd", "dev/pts"})
    EXPECT_TRUE(exists(dir / kept)) << kept;
}

TEST(Bootstrap, BusyboxImageIsTaggedAndUnpacks) {
  BERTH_REQUIRE_ROOT();
  if (::access(kBusybox, X_OK) != 0) GTEST_SKIP() << "no " << kBusybox;
  berth::test::TempDir dir{"berth-bootstrap"};
  auto db = *store::Db::open(dir / "berth.db");
  auto content = std::move(*ContentStore::open(dir / "blobs"));
  auto images = std::move(*ImageStore::open(db, *content));
  Leases leases(db);
  auto snaps = snapshot::open_snapshotter("overlayfs", dir / "snapshots", db);
  ASSERT_TRUE(snaps) << snaps.error().to_string();
  Context ctx{*content, *images, leases};
  BootstrapOptions options;
  options.kind = "busybox";
  auto record = bootstrap_image(ctx, **snaps, options, {});
  ASSERT_TRUE(record) << record.error().to_string();
  ASSERT_EQ(record->layers.size(), 1u);
  EXPECT_EQ(images->resolve("busybox")->id, record->id);
  auto config = oci::parse_image_config(*content->read(record->id));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->config.cmd, std::optional<std::vector<std::string>>(std::vector<std::string>{"sh"}));
  // Only the committed layer's snapshot is left once it is unpacked: the
  // build snapshot is gone.
  auto top = unpack(*images, **snaps, *record);
  ASSERT_TRUE(top) << top.error().to_string();
  std::vector<std::string> keys;
  ASSERT_TRUE((*snaps)->walk([&](const snapshot::Info& i) -> Result<> {
    keys.push_back(i.key);
    return ok();
  }));
  EXPECT_EQ(keys, std::vector<std::string>{*top});
  auto unknown = options;
  unknown.kind = "alpine";
  EXPECT_FALSE(bootstrap_image(ctx, **snaps, unknown, {}));
}

}  // namespace
}  // namespace berth::image
