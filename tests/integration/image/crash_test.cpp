// A load killed at any moment leaves the store consistent: every
// recorded image has all its blobs, intact; nothing half-written sits
// under a digest; the dead process's lease does not pin anything, so GC
// leaves exactly the blobs images reference; and a later load succeeds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "base/file.hpp"
#include "image/docker_archive.hpp"
#include "image/gc.hpp"
#include "image/sha256.hpp"
#include "support/root.hpp"
#include "support/tar_builder.hpp"
#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

struct Stores {
  explicit Stores(const std::string& root) {
    EXPECT_TRUE(make_dirs(root));
    db = *store::Db::open(root + "/berth.db");
    content = std::move(*ContentStore::open(root + "/blobs"));
    images = std::move(*ImageStore::open(db, *content));
    leases = std::make_unique<Leases>(db);
  }
  Context ctx() { return {*content, *images, *leases}; }
  std::shared_ptr<store::Db> db;
  std::unique_ptr<ContentStore> content;
  std::unique_ptr<ImageStore> images;
  std::unique_ptr<Leases> leases;
};

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// A docker-archive with four 3 MiB layers, made by a separate store.
std::string make_archive(const std::string& dir) {
  Stores src(dir + "/src");
  std::vector<std::string> diff_ids;
  std::vector<LayerBlob> layers;
  auto lease = *ScopedLease::create(*src.leases);
  for (unsigned i = 0; i < 4; ++i) {
    auto tar = berth::test::TarBuilder().file("f" + std::to_string(i), random_bytes(3 << 20, i)).finish();
    auto blob = *src.content->put(tar, {}, lease.hold());
    layers.push_back({blob.digest, "application/vnd.oci.image.layer.v1.tar", blob.size, blob.digest});
    diff_ids.push_back(blob.digest);
  }
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[)";
  for (size_t i = 0; i < diff_ids.size(); ++i) config += (i ? ",\"" : "\"") + diff_ids[i] + "\"";
  config += "]}}";
  auto cblob = *src.content->put(config, {}, lease.hold());
  auto ctx = src.ctx();
  auto img = record_image(ctx, lease, cblob, layers, "");
  EXPECT_TRUE(img);
  EXPECT_TRUE(src.images->tag(img->id, "crash:1"));
  std::string path = dir + "/archive.tar";
  auto out = open_file(path, O_WRONLY | O_CREAT, 0644);
  EXPECT_TRUE(save_docker_archive(ctx, {"crash:1"}, out->get()));
  return path;
}

void check_consistent(const std::string& root) {
  Stores s(root);
  auto integrity = s.db->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(integrity && *integrity->step());
  EXPECT_EQ(integrity->text(0), "ok");
  auto images = s.images->list();
  ASSERT_TRUE(images);
  for (const auto& img : *images) {
    std::vector<std::string> blobs = {img.id, img.manifest_digest};
    for (const auto& l : img.layers) blobs.push_back(l.digest);
    for (const auto& b : blobs) {
      auto data = s.content->read(b, 64u << 20);
      ASSERT_TRUE(data) << "image " << img.id << " lost blob " << b;
      EXPECT_EQ(sha256_digest(*data), b) << "blob " << b << " is torn";
    }
  }
  // No temp files: ingest uses O_TMPFILE.
  EXPECT_EQ(::system(("test -z \"$(ls -A " + root + "/blobs/ingest)\"").c_str()), 0);
  auto gc = collect_garbage(*s.images, *s.leases, nullptr);
  ASSERT_TRUE(gc) << gc.error().to_string();
  auto referenced = s.images->referenced_blobs();
  ASSERT_TRUE(referenced) << referenced.error().to_string();
  auto present = s.content->list();
  ASSERT_TRUE(present) << present.error().to_string();
  EXPECT_EQ(std::set<std::string>(present->begin(), present->end()), *referenced);
}

TEST(CrashConsistency, KilledLoadLeavesOldOrNewState) {
  BERTH_REQUIRE_ROOT();  // fork + SIGKILL of a writer; root keeps it off shared CI runners' quotas
  berth::test::TempDir dir("berth-crash");
  std::string archive = make_archive(dir.path());
  std::string root = dir / "target";
  int loaded_once = 0;
  for (int delay_us : {0, 1000, 3000, 8000, 15000, 30000, 60000, 120000, 250000}) {
    SCOPED_TRACE(delay_us);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      Stores s(root);
      auto fd = open_file(archive, O_RDONLY);
      auto ctx = s.ctx();
      ::_exit(fd && load_docker_archive(ctx, fd->get()) ? 0 : 3);
    }
    ::usleep(static_cast<useconds_t>(delay_us));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      EXPECT_EQ(WEXITSTATUS(status), 0);
      ++loaded_once;
    }
    check_consistent(root);
  }
  Stores s(root);
  auto fd = open_file(archive, O_RDONLY);
  auto ctx = s.ctx();
  auto r = load_docker_archive(ctx, fd->get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->tags, std::vector<std::string>{"crash:1"});
  RecordProperty("loads_completed_before_kill", loaded_once);
  EXPECT_LT(loaded_once, 9);  // the early kills did interrupt loads
}

}  // namespace
}  // namespace berth::image
