// A data root with a content store, image store and leases in a temp dir,
// and a helper that records an image made of given layer tars.
#pragma once

#include <gtest/gtest.h>

#include "image/content_store.hpp"
#include "image/image_store.hpp"
#include "image/leases.hpp"
#include "image/sha256.hpp"
#include "oci/image_config.hpp"
#include "oci/image_manifest.hpp"
#include "support/temp_dir.hpp"

namespace berth::image::test {

inline std::string config_for(const std::vector<std::string>& diff_ids, const std::string& tag) {
  oci::ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.created = "2026-01-01T00:00:00Z";
  c.diff_ids = diff_ids;
  c.config.labels["tag"] = tag;  // makes configs (and IDs) distinct
  return oci::to_json(c);
}

class ImageFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Db::open(dir_ / "berth.db");
    ASSERT_TRUE(db);
    db_ = *db;
    auto cs = ContentStore::open(dir_ / "blobs");
    ASSERT_TRUE(cs);
    content_ = std::move(*cs);
    auto is = ImageStore::open(db_, *content_);
    ASSERT_TRUE(is) << is.error().to_string();
    images_ = std::move(*is);
    leases_ = std::make_unique<Leases>(db_);
  }

  // Stores the layers (uncompressed tars), config and manifest; returns the record.
  ImageRecord make_image(const std::vector<std::string>& layers, const std::string& label) {
    NewImage img;
    oci::Manifest m;
    std::vector<std::string> diff_ids;
    for (const auto& tar : layers) {
      auto info = content_->put(tar);
      EXPECT_TRUE(info);
      diff_ids.push_back(info->digest);
      img.layers.push_back({info->digest, std::string(oci::media::kOciLayer), info->size, info->digest, ""});
      m.layers.push_back({std::string(oci::media::kOciLayer), info->digest, info->size, {}, {}, {}});
    }
    auto config = content_->put(config_for(diff_ids, label));
    EXPECT_TRUE(config);
    m.config = {std::string(oci::media::kOciConfig), config->digest, config->size, {}, {}, {}};
    auto manifest = content_->put(oci::to_json(m));
    EXPECT_TRUE(manifest);
    img.config_digest = config->digest;
    img.manifest_digest = manifest->digest;
    img.manifest_media_type = std::string(oci::media::kOciManifest);
    auto rec = images_->put(img);
    EXPECT_TRUE(rec) << rec.error().to_string();
    return *rec;
  }

  berth::test::TempDir dir_{"berth-image"};
  std::shared_ptr<store::Db> db_;
  std::unique_ptr<ContentStore> content_;
  std::unique_ptr<ImageStore> images_;
  std::unique_ptr<Leases> leases_;
};

}  // namespace berth::image::test
