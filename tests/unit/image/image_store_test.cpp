#include "image/image_store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include "image/gc.hpp"
#include "image_fixture.hpp"

namespace berth::image {
namespace {

using test::ImageFixture;

TEST_F(ImageFixture, RecordsLayersWithChainIds) {
  auto img = make_image({"layer-one", "layer-two"}, "x");
  ASSERT_EQ(img.layers.size(), 2u);
  EXPECT_EQ(img.layers[0].chain_id, img.layers[0].diff_id);
  EXPECT_EQ(img.layers[1].chain_id,
            sha256_digest(img.layers[0].diff_id + " " + img.layers[1].diff_id));
  auto again = make_image({"layer-one", "layer-two"}, "x");  // same config: same image
  EXPECT_EQ(again.id, img.id);
  EXPECT_EQ(images_->list()->size(), 1u);
}

TEST_F(ImageFixture, ResolvesTagsIdsAndPrefixes) {
  auto img = make_image({"l"}, "a");
  ASSERT_TRUE(images_->tag(img.id, "busybox"));
  EXPECT_EQ(images_->resolve("busybox:latest")->id, img.id);
  EXPECT_EQ(images_->resolve("docker.io/library/busybox")->id, img.id);
  EXPECT_EQ(images_->resolve(img.id)->id, img.id);
  EXPECT_EQ(images_->resolve(img.id.substr(7, 12))->id, img.id);
  EXPECT_TRUE(images_->resolve("other").error().is(ErrorCategory::NotFound));
  EXPECT_EQ(images_->get(img.id)->repo_tags,
            std::vector<std::string>{"docker.io/library/busybox:latest"});
}

TEST_F(ImageFixture, RetagMovesTheTag) {
  auto a = make_image({"l"}, "a");
  auto b = make_image({"l"}, "b");
  ASSERT_TRUE(images_->tag(a.id, "app:1"));
  ASSERT_TRUE(images_->tag(b.id, "app:1"));
  EXPECT_EQ(images_->resolve("app:1")->id, b.id);
  EXPECT_TRUE(images_->get(a.id)->repo_tags.empty());
}

TEST_F(ImageFixture, RemovingOneOfTwoTagsOnlyUntags) {
  auto img = make_image({"l"}, "a");
  ASSERT_TRUE(images_->tag(img.id, "app:1"));
  ASSERT_TRUE(images_->tag(img.id, "app:2"));
  auto items = images_->remove("app:1", false, {});
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].untagged, "app:1");
  EXPECT_TRUE(images_->get(img.id));
  items = images_->remove("app:2", false, {});
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].deleted, img.id);
  EXPECT_FALSE(images_->get(img.id));
}

// Docker's rule: a repository's digest references go with its last tag,
// even while another repository still tags the image (push, then rmi).
TEST_F(ImageFixture, LastTagOfARepositoryTakesItsDigestReferences) {
  auto img = make_image({"l"}, "a");
  const std::string digest = "sha256:" + std::string(64, 'd');
  ASSERT_TRUE(images_->tag(img.id, "busybox:latest"));
  ASSERT_TRUE(images_->tag(img.id, "reg:5000/bb:latest"));
  ASSERT_TRUE(images_->add_digest_ref(img.id, "reg:5000/bb@" + digest));
  auto items = images_->remove("reg:5000/bb:latest", false, {});
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].untagged, "reg:5000/bb@" + digest);
  EXPECT_TRUE(images_->get(img.id)->repo_digests.empty());
  items = images_->remove("busybox:latest", false, {});
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].deleted, img.id);
}

TEST_F(ImageFixture, ContainerUseNeedsForce) {
  auto img = make_image({"l"}, "a");
  ASSERT_TRUE(images_->tag(img.id, "app"));
  ASSERT_TRUE(images_->tag(img.id, "app:two"));
  UseChecker stopped = [&](const std::string& id) { return ImageUse{false, id == img.id, "0123456789abcdef"}; };
  // Its last name is not taken from a used image without force (dockerd).
  ASSERT_TRUE(images_->remove("app:two", false, stopped));
  auto last = images_->remove("app", false, stopped);
  ASSERT_FALSE(last);
  EXPECT_TRUE(last.error().is(ErrorCategory::Conflict));
  EXPECT_EQ(last.error().message(),
            "conflict: unable to remove repository reference \"app\" (must force) - container "
            "0123456789ab is using its referenced image " + img.id.substr(7, 12));
  auto by_id = images_->remove(img.id, false, stopped);
  ASSERT_FALSE(by_id);
  EXPECT_TRUE(by_id.error().is(ErrorCategory::Conflict));
  // Forced, a stopped container's image goes, name and all (dockerd).
  auto forced = images_->remove("app", true, stopped);
  ASSERT_TRUE(forced);
  ASSERT_EQ(forced->size(), 2u);
  EXPECT_EQ((*forced)[0].untagged, "app:latest");
  EXPECT_EQ((*forced)[1].deleted, img.id);
  EXPECT_FALSE(images_->get(img.id));
}

TEST_F(ImageFixture, RunningContainerBlocksEvenForce) {
  auto img = make_image({"l"}, "a");
  UseChecker running = [](const std::string&) { return ImageUse{true, false, "0123456789abcdef"}; };
  auto r = images_->remove(img.id, true, running);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("running"), std::string::npos);
  EXPECT_TRUE(images_->get(img.id));
}

// The engine's UseChecker locks the container service, which writes to
// the database while holding that lock. remove() must ask before taking
// the database's write lock, or the two wait for each other forever.
TEST_F(ImageFixture, RemoveAsksAboutContainersOutsideItsTransaction) {
  auto img = make_image({"l"}, "a");
  ASSERT_TRUE(db_->exec("CREATE TABLE containers(id TEXT)"));
  std::mutex service;  // the container service's mutex
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false, asked = false;
  std::thread containers([&] {
    std::lock_guard svc(service);
    {
      std::unique_lock lock(mu);
      holding = true;
      cv.notify_all();
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return asked; });
    }
    // persist(): a write while holding the service lock.
    EXPECT_TRUE(db_->transaction([&] { return db_->exec("INSERT INTO containers VALUES('c')"); }));
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  UseChecker checker = [&](const std::string&) {
    {
      std::lock_guard lock(mu);
      asked = true;
      cv.notify_all();
    }
    std::lock_guard svc(service);
    return ImageUse{};
  };
  auto done = std::async(std::launch::async, [&] { return images_->remove(img.id, false, checker); });
  if (done.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "image remove and a container write deadlocked";
    std::_Exit(1);  // the threads cannot be unblocked
  }
  containers.join();
  auto items = done.get();
  ASSERT_TRUE(items) << items.error().to_string();
  EXPECT_FALSE(images_->get(img.id));
}

TEST_F(ImageFixture, IdWithTagsInSeveralRepositoriesNeedsForce) {
  auto img = make_image({"l"}, "a");
  ASSERT_TRUE(images_->tag(img.id, "one"));
  ASSERT_TRUE(images_->tag(img.id, "two"));
  auto r = images_->remove(img.id, false, {});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::Conflict));
  auto forced = images_->remove(img.id, true, {});
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->size(), 3u);  // two untags and the delete
  // A single-repository ID removal untags and deletes without force.
  auto b = make_image({"l"}, "b");
  ASSERT_TRUE(images_->tag(b.id, "solo:1"));
  ASSERT_TRUE(images_->remove(b.id, false, {}));
  EXPECT_FALSE(images_->get(b.id));
}

TEST_F(ImageFixture, GcRemovesOnlyWhatNothingUses) {
  auto a = make_image({"shared", "only-a"}, "a");
  auto b = make_image({"shared", "only-b"}, "b");
  auto pulling = content_->put("in-flight");
  ASSERT_TRUE(pulling);
  auto lease = leases_->create();
  ASSERT_TRUE(lease);
  ASSERT_TRUE(leases_->add(*lease, LeaseKind::Content, pulling->digest));
  auto stray = content_->put("stray");
  ASSERT_TRUE(stray);
  ASSERT_TRUE(images_->remove(a.id, false, {}));
  auto gc = collect_garbage(*images_, *leases_, nullptr);
  ASSERT_TRUE(gc) << gc.error().to_string();
  // a's config, manifest and unique layer, plus the stray blob.
  EXPECT_EQ(gc->blobs.size(), 4u);
  EXPECT_FALSE(content_->exists(a.id));
  EXPECT_FALSE(content_->exists(stray->digest));
  EXPECT_TRUE(content_->exists(pulling->digest));
  for (const auto& l : b.layers) EXPECT_TRUE(content_->exists(l.digest));
  EXPECT_TRUE(content_->exists(b.id));
  EXPECT_TRUE(content_->exists(b.manifest_digest));
  ASSERT_TRUE(leases_->remove(*lease));
  ASSERT_TRUE(images_->remove(b.id, false, {}));
  ASSERT_TRUE(collect_garbage(*images_, *leases_, nullptr));
  EXPECT_TRUE(content_->list()->empty());
}

}  // namespace
}  // namespace berth::image
