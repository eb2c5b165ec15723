#include "image/content_store.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

size_t entries(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

TEST(ContentStore, PutVerifiesAndPublishesUnderDigest) {
  test::TempDir dir;
  auto cs = ContentStore::open(dir / "blobs");
  ASSERT_TRUE(cs);
  auto info = (*cs)->put("hello");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->digest, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(*(*cs)->read(info->digest), "hello");
  struct stat st{};
  ASSERT_EQ(::stat((*cs)->path(info->digest).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);  // blobs are immutable
  EXPECT_EQ((*cs)->list()->size(), 1u);
}

TEST(ContentStore, MismatchedDigestLeavesNothingBehind) {
  test::TempDir dir;
  auto cs = ContentStore::open(dir / "blobs");
  ASSERT_TRUE(cs);
  auto bad = (*cs)->put("hello", "sha256:" + std::string(64, '0'));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("digest mismatch"), std::string::npos);
  EXPECT_EQ(entries(dir / "blobs/sha256"), 0u);
  EXPECT_EQ(entries(dir / "blobs/ingest"), 0u);
}

TEST(ContentStore, AbandonedWriterLeavesNoHalfBlob) {
  test::TempDir dir;
  auto cs = ContentStore::open(dir / "blobs");
  ASSERT_TRUE(cs);
  {
    auto w = (*cs)->writer();
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write(std::string(1 << 20, 'x')));
    // dropped without commit, as a crash would
  }
  EXPECT_EQ(entries(dir / "blobs/sha256"), 0u);
  EXPECT_EQ(entries(dir / "blobs/ingest"), 0u);
}

TEST(ContentStore, StreamedWriteEqualsOneShotAndDuplicatesAreFine) {
  test::TempDir dir;
  auto cs = ContentStore::open(dir / "blobs");
  ASSERT_TRUE(cs);
  auto w = (*cs)->writer();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("hel"));
  ASSERT_TRUE(w->write("lo"));
  std::string seen;
  auto info = w->commit({}, [&](const BlobInfo& b) -> Result<> {
    seen = b.digest;
    return ok();
  });
  ASSERT_TRUE(info);
  EXPECT_EQ(seen, info->digest);
  auto again = (*cs)->put("hello", info->digest);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->digest, info->digest);
  EXPECT_FALSE((*cs)->exists("sha256:../../etc/passwd"));
  EXPECT_FALSE((*cs)->open_blob("sha256:" + std::string(64, 'f')));
}

TEST(ContentStore, SweepRemovesOnlyUnmarked) {
  test::TempDir dir;
  auto cs = ContentStore::open(dir / "blobs");
  ASSERT_TRUE(cs);
  auto a = *(*cs)->put("a");
  auto b = *(*cs)->put("b");
  auto removed = (*cs)->sweep([&]() -> Result<std::set<std::string>> {
    return std::set<std::string>{a.digest};
  });
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, std::vector<std::string>{b.digest});
  EXPECT_TRUE((*cs)->exists(a.digest));
  EXPECT_FALSE((*cs)->exists(b.digest));
}

}  // namespace
}  // namespace berth::image
