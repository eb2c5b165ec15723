#include "oci/image_manifest.hpp"

#include <gtest/gtest.h>

#include "oci/image_config.hpp"
#include "oci/image_reference.hpp"

namespace berth::oci {
namespace {

const std::string kHex = std::string(64, 'a');
const std::string kDigest = "sha256:" + kHex;

TEST(ImageManifest, ParsesDockerSchema2AndWritesOci) {
  std::string doc = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":")" +
                    kDigest + R"("},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2811478,"digest":")" +
                    kDigest + R"("}]})";
  auto kind = detect_kind(doc);
  ASSERT_TRUE(kind);
  EXPECT_EQ(*kind, DocumentKind::Manifest);
  auto m = parse_manifest(doc);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->config.size, 1469);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(*layer_compression(m->layers[0].media_type), Compression::Gzip);
  auto again = parse_manifest(to_json(*m));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->layers[0].digest, kDigest);
}

TEST(ImageManifest, RejectsBadDigestsAndShapes) {
  EXPECT_FALSE(validate_digest("sha256:abc"));
  EXPECT_FALSE(validate_digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(validate_digest("md5:" + kHex));
  EXPECT_TRUE(validate_digest(kDigest));
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":1})"));
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":2,"config":{"digest":"sha256:../../etc"}})"));
  EXPECT_FALSE(parse_manifest(R"([1,2])"));
  EXPECT_FALSE(parse_index(R"({"schemaVersion":2,"manifests":{}})"));
}

TEST(ImageManifest, SelectsPlatformFromIndex) {
  Index idx;
  Descriptor arm{std::string(media::kOciManifest), "sha256:" + std::string(64, 'b'), 10, {}, {}, Platform{"linux", "arm64", "v8", "", {}}};
  Descriptor amd{std::string(media::kOciManifest), kDigest, 10, {}, {}, Platform{"linux", "amd64", "", "", {}}};
  idx.manifests = {arm, amd};
  auto parsed = parse_index(to_json(idx));
  ASSERT_TRUE(parsed);
  auto d = select_platform(*parsed, Platform{"linux", "amd64", "", "", {}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->digest, kDigest);
  auto arm64 = select_platform(*parsed, Platform{"linux", "arm64", "", "", {}});
  ASSERT_TRUE(arm64);
  EXPECT_EQ(arm64->platform->variant, "v8");
  auto none = select_platform(*parsed, Platform{"linux", "s390x", "", "", {}});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("linux/arm64/v8"), std::string::npos);
}

TEST(ImageConfig, KeepsUnknownFieldsAndNullCmd) {
  std::string doc = R"({"architecture":"amd64","os":"linux","docker_version":"20.10",
    "config":{"Cmd":null,"Env":["PATH=/bin"],"Healthcheck":{"Test":["NONE"]},"ExposedPorts":{"80/tcp":{}}},
    "rootfs":{"type":"layers","diff_ids":[")" + kDigest + R"("]},
    "history":[{"created":"2024-01-01T00:00:00Z","created_by":"import","empty_layer":true}]})";
  auto c = parse_image_config(doc);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_FALSE(c->config.cmd.has_value());
  EXPECT_EQ(c->config.exposed_ports, std::vector<std::string>{"80/tcp"});
  EXPECT_TRUE(c->history[0].empty_layer);
  set_env(c->config.env, "PATH", "/usr/bin");
  set_env(c->config.env, "A", "b");
  c->config.cmd = std::vector<std::string>{"sh"};
  auto out = to_json(*c);
  EXPECT_NE(out.find("\"docker_version\":\"20.10\""), std::string::npos);
  EXPECT_NE(out.find("Healthcheck"), std::string::npos);
  auto back = parse_image_config(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->config.env, (std::vector<std::string>{"PATH=/usr/bin", "A=b"}));
  EXPECT_EQ(*back->config.cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(back->diff_ids, std::vector<std::string>{kDigest});
}

TEST(ImageReference, NormalisesLikeDocker) {
  auto r = parse_reference("busybox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->full(), "docker.io/library/busybox:latest");
  EXPECT_EQ(r->familiar(), "busybox:latest");
  auto p = parse_reference("localhost:5000/team/app:1.0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->domain, "localhost:5000");
  EXPECT_EQ(p->familiar(), "localhost:5000/team/app:1.0");
  auto d = parse_reference("user/app@" + kDigest);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->tag, "");
  EXPECT_EQ(d->full(), "docker.io/user/app@" + kDigest);
  EXPECT_FALSE(parse_reference("Busybox"));
  EXPECT_FALSE(parse_reference("a:b:c"));
  EXPECT_FALSE(parse_reference("a//b"));
  EXPECT_FALSE(parse_reference("app:-bad"));
  EXPECT_FALSE(parse_reference(""));
}

}  // namespace
}  // namespace berth::oci

namespace berth::oci {
namespace {

TEST(ImageReference, NameLimitIsDockersAndFamiliarFormRoundTrips) {
  std::string name(255, 'a');
  auto ok = parse_reference(name + ":1");
  ASSERT_TRUE(ok);
  auto again = parse_reference(ok->familiar());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->full(), ok->full());
  auto long_name = parse_reference(name + "a");
  ASSERT_FALSE(long_name);
  EXPECT_NE(long_name.error().to_string().find("more than 255 characters"), std::string::npos);
}

}  // namespace
}  // namespace berth::oci
