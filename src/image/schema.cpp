#include "image/schema.hpp"

namespace berth::image {

namespace {

// Version 1. Every blob an image needs is listed in image_blobs, so the
// garbage collector's mark phase is one query. refs holds tags and digest
// references ("docker.io/library/busybox:latest"), each naming one image.
// Leases pin content, snapshots and images for containers and in-flight
// pulls; they cascade away with their lease.
const char* kV1 = R"sql(
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  index_digest TEXT,
  created TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  added INTEGER NOT NULL
);
CREATE TABLE image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  diff_id TEXT NOT NULL,
  chain_id TEXT NOT NULL,
  PRIMARY KEY (image_id, idx)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE image_blobs (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (image_id, digest)
);
CREATE INDEX image_blobs_digest ON image_blobs(digest);
CREATE TABLE refs (
  name TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('tag', 'digest')),
  added INTEGER NOT NULL
);
CREATE INDEX refs_image ON refs(image_id);
CREATE TABLE leases (
  id TEXT PRIMARY KEY,
  created INTEGER NOT NULL
);
CREATE TABLE lease_resources (
  lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('content', 'snapshot', 'image')),
  name TEXT NOT NULL,
  PRIMARY KEY (lease_id, kind, name)
);
CREATE INDEX lease_resources_name ON lease_resources(kind, name);
)sql";

}  // namespace

Result<> migrate_schema(store::Db& db) { return db.migrate("image", {{1, kV1}}); }

}  // namespace berth::image
