// docker-archive and OCI-layout round trips between two berth stores,
// import with --change, and config change parsing.
#include <fcntl.h>
#include <unistd.h>

#include "base/file.hpp"
#include "image/config_change.hpp"
#include "image/create.hpp"
#include "image/docker_archive.hpp"
#include "image/gc.hpp"
#include "image/oci_layout.hpp"
#include "image_fixture.hpp"
#include "support/tar_builder.hpp"

namespace berth::image {
namespace {

using berth::test::TarBuilder;

class ExportTest : public test::ImageFixture {
 protected:
  // A second, empty data root.
  struct Other {
    berth::test::TempDir dir{"berth-image-other"};
    std::shared_ptr<store::Db> db = *store::Db::open(dir / "berth.db");
    std::unique_ptr<ContentStore> content = std::move(*ContentStore::open(dir / "blobs"));
    std::unique_ptr<ImageStore> images = std::move(*ImageStore::open(db, *content));
    Leases leases{db};
    Context ctx() { return {*content, *images, leases}; }
  };
  Context ctx() { return {*content_, *images_, *leases_}; }
};

TEST_F(ExportTest, DockerArchiveRoundTripKeepsIdsAndTags) {
  auto img = make_image({TarBuilder().file("a", "1").finish(), TarBuilder().file("b", "2").finish()}, "x");
  ASSERT_TRUE(images_->tag(img.id, "app:1"));
  ASSERT_TRUE(images_->tag(img.id, "app:2"));
  std::string path = dir_ / "saved.tar";
  {
    auto out = open_file(path, O_WRONLY | O_CREAT, 0644);
    ASSERT_TRUE(out);
    auto c = ctx();
    auto r = save_docker_archive(c, {"app:1", "app:2"}, out->get());
    ASSERT_TRUE(r) << r.error().to_string();
  }
  Other other;
  auto in = open_file(path, O_RDONLY);
  auto c2 = other.ctx();
  auto loaded = load_docker_archive(c2, in->get());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->image_ids, std::vector<std::string>{img.id});
  EXPECT_EQ(loaded->tags, (std::vector<std::string>{"app:1", "app:2"}));  // one entry, two tags
  auto got = other.images->resolve("app:1");
  ASSERT_TRUE(got);
  ASSERT_EQ(got->layers.size(), 2u);
  EXPECT_EQ(got->layers[1].chain_id, img.layers[1].chain_id);
  // The load lease is gone: GC keeps exactly what the image needs.
  auto gc = collect_garbage(*other.images, other.leases, nullptr);
  ASSERT_TRUE(gc);
  EXPECT_TRUE(gc->blobs.empty());
}

TEST_F(ExportTest, ArchiveWithWrongLayerIsRefused) {
  auto img = make_image({TarBuilder().file("a", "1").finish()}, "x");
  std::string config = *content_->read(img.id);
  std::string bogus = TarBuilder().file("other", "x").finish();
  TarBuilder outer;
  outer.file("c.json", config).file("l/layer.tar", bogus)
      .file("manifest.json", R"([{"Config":"c.json","RepoTags":["bad:1"],"Layers":["l/layer.tar"]}])");
  ASSERT_TRUE(write_file_atomic(dir_ / "bad.tar", outer.finish()));
  auto fd = open_file(dir_ / "bad.tar", O_RDONLY);
  Other other;
  auto c2 = other.ctx();
  auto r = load_docker_archive(c2, fd->get());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("does not match diff ID"), std::string::npos);
  EXPECT_TRUE(other.images->list()->empty());
}

TEST_F(ExportTest, OciLayoutRoundTripKeepsManifestBytes) {
  auto img = make_image({TarBuilder().file("a", "1").finish()}, "x");
  ASSERT_TRUE(images_->tag(img.id, "registry.local:5000/team/app:2"));
  auto c = ctx();
  ASSERT_TRUE(save_oci_layout(c, {"registry.local:5000/team/app:2"}, dir_ / "layout"));
  Other other;
  auto c2 = other.ctx();
  auto loaded = load_oci_layout(c2, dir_ / "layout");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto got = other.images->resolve("registry.local:5000/team/app:2");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, img.id);
  EXPECT_EQ(got->manifest_digest, img.manifest_digest);
}

TEST_F(ExportTest, ImportAppliesChanges) {
  std::string rootfs = TarBuilder("gzip").dir("bin").file("bin/sh", "#!").finish();
  ASSERT_TRUE(write_file_atomic(dir_ / "rootfs.tgz", rootfs));
  auto fd = open_file(dir_ / "rootfs.tgz", O_RDONLY);
  ImportOptions opt;
  opt.changes = {"CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENV A=1 B=\"two words\"", "EXPOSE 80 53/udp",
                 "WORKDIR /srv", "LABEL maintainer=me", "USER nobody", "VOLUME /data"};
  opt.tag = "imported:1";
  auto c = ctx();
  auto img = import_rootfs(c, fd->get(), opt);
  ASSERT_TRUE(img) << img.error().to_string();
  ASSERT_EQ(img->layers.size(), 1u);
  EXPECT_EQ(img->layers[0].digest, img->layers[0].diff_id);  // stored uncompressed
  auto config = oci::parse_image_config(*content_->read(img->id));
  ASSERT_TRUE(config);
  EXPECT_EQ(*config->config.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(config->config.env, (std::vector<std::string>{"A=1", "B=two words"}));
  EXPECT_EQ(config->config.exposed_ports, (std::vector<std::string>{"80/tcp", "53/udp"}));
  EXPECT_EQ(config->config.working_dir, "/srv");
  EXPECT_EQ(config->config.labels.at("maintainer"), "me");
  EXPECT_EQ(config->config.user, "nobody");
  EXPECT_EQ(config->config.volumes, std::vector<std::string>{"/data"});
  EXPECT_EQ(config->history.at(0).comment, "Imported from -");
  EXPECT_EQ(images_->resolve("imported:1")->id, img->id);
}

TEST(ConfigChange, ShellFormsAndErrors) {
  oci::ContainerConfig c;
  ASSERT_TRUE(apply_change(c, "CMD echo hi"));
  EXPECT_EQ(*c.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  ASSERT_TRUE(apply_change(c, "ENV PATH /usr/bin:/bin"));
  EXPECT_EQ(c.env, std::vector<std::string>{"PATH=/usr/bin:/bin"});
  ASSERT_TRUE(apply_change(c, "WORKDIR a"));
  ASSERT_TRUE(apply_change(c, "WORKDIR b"));
  EXPECT_EQ(c.working_dir, "/a/b");
  ASSERT_TRUE(apply_change(c, "VOLUME [\"/v1\", \"/v2\"]"));
  EXPECT_EQ(c.volumes, (std::vector<std::string>{"/v1", "/v2"}));
  EXPECT_FALSE(apply_change(c, "RUN rm -rf /"));
  EXPECT_FALSE(apply_change(c, "EXPOSE 99999"));
  EXPECT_FALSE(apply_change(c, "CMD"));
  EXPECT_FALSE(apply_change(c, "ENV =x"));
}

}  // namespace
}  // namespace berth::image
