// LocalImageService over real stores in a temp data root (no snapshotter):
// sizes, filters, Docker's delete rules through the UseChecker, prune,
// save/load and the events each action publishes.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "base/file.hpp"
#include "engine/image_stores.hpp"
#include "engine/local_image_service.hpp"
#include "image/context.hpp"
#include "image/unpack.hpp"
#include "oci/image_config.hpp"
#include "support/tar_builder.hpp"
#include "support/temp_dir.hpp"

namespace berth::engine {
namespace {

using berth::test::TarBuilder;

class LocalImages : public ::testing::Test {
 protected:
  virtual std::string driver() const { return ""; }

  void SetUp() override {
    auto s = open_image_stores(dir_ / "data", driver());
    ASSERT_TRUE(s) << s.error().to_string();
    stores_ = std::move(*s);
    service_ = std::make_unique<LocalImageService>(stores_, events_, "overlayfs");
    events_sub_ = events_.subscribe({}, std::nullopt, [] {});
  }

  // One-layer image; the config's label makes each ID distinct.
  std::string make(const std::string& tar, const std::string& label, const std::string& created) {
    auto ctx = stores_.context();
    auto lease = image::ScopedLease::create(*stores_.leases);
    EXPECT_TRUE(lease);
    auto layer = stores_.content->put(tar, {}, lease->hold());
    EXPECT_TRUE(layer);
    oci::ImageConfig c;
    c.architecture = "amd64";
    c.os = "linux";
    c.created = created;
    c.diff_ids = {layer->digest};
    c.config.labels["k"] = label;
    c.history.push_back({created, "/bin/sh -c #(nop) ADD file", "", "", false});
    c.history.push_back({created, "/bin/sh -c #(nop) CMD [\"sh\"]", "", "", true});
    auto config = stores_.content->put(oci::to_json(c), {}, lease->hold());
    EXPECT_TRUE(config);
    auto rec = image::record_image(ctx, *lease, *config,
                                   {{layer->digest, "application/vnd.oci.image.layer.v1.tar",
                                     layer->size, layer->digest}},
                                   created);
    EXPECT_TRUE(rec) << rec.error().to_string();
    return rec->id;
  }

  std::vector<std::string> actions() {
    std::vector<std::string> out;
    for (const auto& e : events_sub_->take()) out.push_back(e.action);
    return out;
  }

  berth::test::TempDir dir_{"berth-image-service"};
  EventBus events_;
  ImageStores stores_;
  std::unique_ptr<LocalImageService> service_;
  std::shared_ptr<EventSubscription> events_sub_;
};

std::string layer_a() {
  // 5-byte file, its hardlink (counted once), a symlink (1 byte), a dir,
  // a whiteout: 6 bytes as dockerd counts a layer directory.
  return TarBuilder().dir("d").file("d/a", "12345").hardlink("d/h", "d/a").symlink("s", "a")
      .file("d/.wh.gone", "").finish();
}

TEST(Rfc3339, ParsesZonesAndFractions) {
  EXPECT_EQ(parse_rfc3339_seconds("1970-01-01T00:00:10Z"), 10);
  EXPECT_EQ(parse_rfc3339_seconds("2026-05-07T20:33:45.123456789Z"), 1778186025);
  EXPECT_EQ(parse_rfc3339_seconds("2026-05-07T22:33:45+02:00"), 1778186025);
  EXPECT_EQ(parse_rfc3339_seconds("garbage"), 0);
}

TEST_F(LocalImages, ListSizesAndFilters) {
  auto a = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  auto b = make(TarBuilder().file("b", std::string(100, 'x')).finish(), "b", "2026-02-01T00:00:00Z");
  ASSERT_TRUE(service_->tag(a, "busybox", ""));
  ASSERT_TRUE(service_->tag(a, "example.com/team/tool", "2"));
  auto all = service_->list({}, false);
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b);  // newest first
  EXPECT_EQ((*all)[0].size, 100);
  EXPECT_EQ((*all)[1].size, 6);
  EXPECT_EQ((*all)[1].repo_tags, (std::vector<std::string>{"busybox:latest", "example.com/team/tool:2"}));

  auto one = [&](const std::string& key, const std::string& value) {
    Filters f;
    f.add(key, value);
    auto r = service_->list(f, false);
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::string> ids;
    for (const auto& s : *r) ids.push_back(s.id + " " + std::to_string(s.repo_tags.size()));
    return ids;
  };
  EXPECT_EQ(one("reference", "busybox"), std::vector<std::string>{a + " 1"});
  EXPECT_EQ(one("reference", "*/*/*"), std::vector<std::string>{a + " 1"});
  EXPECT_EQ(one("reference", "*:2"), std::vector<std::string>{});
  EXPECT_EQ(one("dangling", "true"), std::vector<std::string>{b + " 0"});
  EXPECT_EQ(one("dangling", "false"), std::vector<std::string>{a + " 2"});
  EXPECT_EQ(one("label", "k=b"), std::vector<std::string>{b + " 0"});
  EXPECT_EQ(one("before", b), std::vector<std::string>{a + " 2"});
  EXPECT_EQ(one("since", "busybox"), std::vector<std::string>{b + " 0"});
  Filters bad;
  bad.add("color", "red");
  EXPECT_EQ(service_->list(bad, false).error().to_string(), "invalid filter 'color'");
  EXPECT_EQ(service_->image_count(), 2);
  EXPECT_EQ(service_->layers_size(), 106);
}

TEST_F(LocalImages, InspectAndHistory) {
  auto a = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  ASSERT_TRUE(service_->tag(a, "busybox", "1"));
  auto d = service_->inspect("busybox:1");
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->summary.id, a);
  EXPECT_EQ(d->os, "linux");
  EXPECT_EQ(d->diff_ids.size(), 1u);
  ASSERT_TRUE(d->config);
  EXPECT_TRUE(d->config->contains("Labels"));
  EXPECT_EQ(service_->inspect("nope").error().category(), ErrorCategory::NotFound);
  auto h = service_->history(a.substr(7, 12));
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].id, a);
  EXPECT_EQ((*h)[0].size, 0);  // the CMD entry: no layer
  EXPECT_EQ((*h)[0].tags, std::vector<std::string>{"busybox:1"});
  EXPECT_EQ((*h)[1].id, "<missing>");
  EXPECT_EQ((*h)[1].size, 6);
}

TEST_F(LocalImages, TagRemoveFollowDockerAndPublishEvents) {
  auto a = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  EXPECT_EQ(service_->tag(a, "UPPER", "").error().category(), ErrorCategory::InvalidArgument);
  EXPECT_EQ(service_->tag(a, "x@sha256:" + std::string(64, 'a'), "").error().category(),
            ErrorCategory::InvalidArgument);
  ASSERT_TRUE(service_->tag(a, "one/x", "1"));
  ASSERT_TRUE(service_->tag(a, "two/y", "1"));
  auto conflict = service_->remove(a, false);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().category(), ErrorCategory::Conflict);
  service_->set_use_checker([&](const std::string& id) { return image::ImageUse{id == a, false, "c1"}; });
  auto running = service_->remove(a, true);
  ASSERT_FALSE(running);
  EXPECT_NE(running.error().to_string().find("running container"), std::string::npos);
  service_->set_use_checker({});
  auto untag = service_->remove("one/x:1", false);
  ASSERT_TRUE(untag);
  ASSERT_EQ(untag->size(), 1u);
  EXPECT_EQ((*untag)[0].untagged, "one/x:1");
  auto last = service_->remove("two/y:1", false);
  ASSERT_TRUE(last);
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[1].deleted, a);
  // GC ran: no blob of the image is left.
  EXPECT_TRUE(stores_.content->list()->empty());
  EXPECT_EQ(actions(), (std::vector<std::string>{"tag", "tag", "untag", "untag", "delete"}));
}

TEST_F(LocalImages, PruneSkipsImagesInUseAndReportsSpace) {
  auto a = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  auto b = make(TarBuilder().file("b", std::string(100, 'x')).finish(), "b", "2026-02-01T00:00:00Z");
  auto c = make(TarBuilder().file("c", "c").finish(), "c", "2026-03-01T00:00:00Z");
  ASSERT_TRUE(service_->tag(a, "keep", "1"));
  service_->set_use_checker([&](const std::string& id) { return image::ImageUse{false, id == c, "c1"}; });
  auto dangling = service_->prune({});
  ASSERT_TRUE(dangling) << dangling.error().to_string();
  ASSERT_EQ(dangling->deleted.size(), 1u);
  EXPECT_EQ(dangling->deleted[0].deleted, b);
  EXPECT_EQ(dangling->space_reclaimed, 100);
  Filters all;
  all.add("dangling", "false");
  auto rest = service_->prune(all);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->deleted.size(), 2u);  // untag keep:1, delete a; c is used
  EXPECT_EQ(rest->deleted[0].untagged, "keep:1");
  EXPECT_EQ(rest->deleted[1].deleted, a);
  EXPECT_EQ(rest->space_reclaimed, 6);
  EXPECT_TRUE(service_->inspect(c));
  Filters bad;
  bad.add("until", "soon");
  EXPECT_FALSE(service_->prune(bad));
}

TEST_F(LocalImages, SaveThenLoadKeepsIdAndTag) {
  auto a = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  ASSERT_TRUE(service_->tag(a, "busybox", ""));
  EXPECT_EQ(service_->check_names({"busybox", "nope"}).error().category(), ErrorCategory::NotFound);
  std::string path = dir_ / "saved.tar";
  {
    auto out = open_file(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(out);
    ASSERT_TRUE(service_->save({"busybox"}, out->get()));
  }
  ASSERT_TRUE(service_->remove("busybox", false));
  auto in = open_file(path, O_RDONLY);
  ASSERT_TRUE(in);
  auto loaded = service_->load(in->get());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->tags, std::vector<std::string>{"busybox:latest"});
  EXPECT_TRUE(loaded->untagged_ids.empty());
  EXPECT_EQ(service_->inspect("busybox")->summary.id, a);
}

// The copy snapshotter needs no mounts, so commit is testable here.
class LocalImagesWithSnapshots : public LocalImages {
  std::string driver() const override { return "copy"; }
};

TEST_F(LocalImagesWithSnapshots, CommitRecordsTheContainersChanges) {
  auto base = make(layer_a(), "a", "2026-01-01T00:00:00Z");
  ASSERT_TRUE(service_->tag(base, "base", "1"));
  auto record = stores_.images->get(base);
  ASSERT_TRUE(record);
  auto top = image::unpack(*stores_.images, *stores_.snapshots, *record);
  ASSERT_TRUE(top) << top.error().to_string();
  ASSERT_TRUE(stores_.snapshots->prepare("ctr", *top));
  auto dir = stores_.snapshots->apply_dir("ctr");
  ASSERT_TRUE(dir);
  ASSERT_TRUE(write_file_atomic(*dir + "/added", "new", 0644));
  ImageCommitRequest req{"ctr", "base:1", "me", "a message", "sh", {"CMD [\"cat\", \"/added\"]"}, "committed:2", "", "", "", ""};
  auto id = service_->commit(req);
  ASSERT_TRUE(id) << id.error().to_string();
  auto d = service_->inspect("committed:2");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->summary.id, *id);
  EXPECT_EQ(d->diff_ids.size(), 2u);
  EXPECT_EQ(d->author, "me");
  EXPECT_EQ(d->summary.size, 6 + 3);
  auto h = service_->history("committed:2");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->front().comment, "a message");
  EXPECT_EQ((*d->config)["Cmd"], (boost::json::array{"cat", "/added"}));
  // The container still uses its snapshot chain: deleting both images
  // and collecting garbage must keep it.
  ASSERT_TRUE(service_->remove("committed:2", false));
  ASSERT_TRUE(service_->remove("base:1", false));
  EXPECT_TRUE(stores_.snapshots->stat("ctr"));
  EXPECT_TRUE(stores_.snapshots->stat(*top));
  ASSERT_TRUE(stores_.snapshots->remove("ctr"));
}

}  // namespace
}  // namespace berth::engine
