#include "image/image_store.hpp"

#include <ctime>

#include "image/schema.hpp"
#include "image/sha256.hpp"
#include "oci/image_manifest.hpp"
#include "oci/image_reference.hpp"

namespace berth::image {

namespace {

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

std::string familiar(const std::string& full) {
  auto ref = oci::parse_reference(full);
  return ref ? ref->familiar() : full;
}

std::string repo_of(const std::string& full) {
  auto ref = oci::parse_reference(full);
  return ref ? ref->name() : full;
}

// dockerd's test for "the last name of this image": at most one tag, and
// digest references only of that tag's repository (or, without a tag, of
// one repository).
bool single_reference(const std::vector<std::string>& refs) {
  if (refs.size() <= 1) return refs.size() == 1;
  std::string tag_repo;
  std::set<std::string> digest_repos;
  for (const auto& r : refs) {
    if (r.find('@') != std::string::npos) {
      digest_repos.insert(repo_of(r));
    } else if (tag_repo.empty()) {
      tag_repo = repo_of(r);
    } else {
      return false;
    }
  }
  if (tag_repo.empty()) tag_repo = repo_of(refs.front());
  return digest_repos.size() == 1 && digest_repos.count(tag_repo) == 1;
}

}  // namespace

Result<std::unique_ptr<ImageStore>> ImageStore::open(std::shared_ptr<store::Db> db,
                                                     ContentStore& content) {
  TRY(migrate_schema(*db));
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(db), content));
}

Result<ImageRecord> ImageStore::put(const NewImage& image) {
  TRY(oci::validate_digest(image.config_digest));
  std::vector<std::string> diff_ids;
  for (const auto& l : image.layers) diff_ids.push_back(l.diff_id);
  auto chains = chain_ids(diff_ids);
  std::vector<std::string> blobs = {image.config_digest, image.manifest_digest};
  if (!image.index_digest.empty()) blobs.push_back(image.index_digest);
  for (const auto& l : image.layers) blobs.push_back(l.digest);
  for (const auto& b : blobs)
    if (!content_.exists(b))
      return make_error(ErrorCategory::NotFound, "blob " + b + " is not in the content store");
  TRY_CTX(db_->transaction([&]() -> Result<> {
            auto exists = TRY(db_->prepare("SELECT 1 FROM images WHERE id = ?"));
            exists.bind_all(image.config_digest);
            if (TRY(exists.step())) return ok();
            int64_t size = 0;
            for (const auto& l : image.layers) size += l.size;
            auto ins = TRY(db_->prepare(
                "INSERT INTO images(id, manifest_digest, manifest_media_type, index_digest,"
                " created, size, added) VALUES(?, ?, ?, ?, ?, ?, ?)"));
            ins.bind_all(image.config_digest, image.manifest_digest, image.manifest_media_type,
                         image.index_digest.empty() ? std::optional<std::string>()
                                                    : std::optional<std::string>(image.index_digest),
                         image.created, size, static_cast<int64_t>(::time(nullptr)));
            TRY(ins.run());
            for (size_t i = 0; i < image.layers.size(); ++i) {
              const auto& l = image.layers[i];
              auto li = TRY(db_->prepare(
                  "INSERT INTO image_layers(image_id, idx, digest, media_type, size, diff_id,"
                  " chain_id) VALUES(?, ?, ?, ?, ?, ?, ?)"));
              li.bind_all(image.config_digest, static_cast<int64_t>(i), l.digest, l.media_type,
                          l.size, l.diff_id, chains[i]);
              TRY(li.run());
            }
            for (const auto& b : blobs) {
              auto bi = TRY(db_->prepare(
                  "INSERT OR IGNORE INTO image_blobs(image_id, digest) VALUES(?, ?)"));
              bi.bind_all(image.config_digest, b);
              TRY(bi.run());
            }
            return ok();
          }),
          "record image " + image.config_digest);
  return get(image.config_digest);
}

Result<> ImageStore::tag(const std::string& image_id, const std::string& reference) {
  auto ref = TRY(oci::parse_reference(reference));
  if (!ref.digest.empty())
    return make_error(ErrorCategory::InvalidArgument,
                      "refusing to create a tag with a digest reference: " + reference);
  auto stmt = TRY(db_->prepare(
      "INSERT INTO refs(name, image_id, kind, added) VALUES(?, ?, 'tag', ?)"
      " ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, added = excluded.added"));
  stmt.bind_all(ref.full(), image_id, static_cast<int64_t>(::time(nullptr)));
  TRY_CTX(stmt.run(), "tag " + reference);
  return ok();
}

Result<> ImageStore::add_digest_ref(const std::string& image_id, const std::string& reference) {
  auto ref = TRY(oci::parse_reference(reference));
  if (ref.digest.empty())
    return make_error(ErrorCategory::InvalidArgument, "not a digest reference: " + reference);
  ref.tag.clear();
  auto stmt = TRY(db_->prepare(
      "INSERT INTO refs(name, image_id, kind, added) VALUES(?, ?, 'digest', ?)"
      " ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id"));
  stmt.bind_all(ref.full(), image_id, static_cast<int64_t>(::time(nullptr)));
  return stmt.run();
}

Result<ImageRecord> ImageStore::get(const std::string& id) {
  auto stmt = TRY(db_->prepare(
      "SELECT id, manifest_digest, manifest_media_type, index_digest, created, size, added"
      " FROM images WHERE id = ?"));
  stmt.bind_all(id);
  if (!TRY(stmt.step())) return make_error(ErrorCategory::NotFound, "no such image: " + id);
  ImageRecord r;
  r.id = stmt.text(0);
  r.manifest_digest = stmt.text(1);
  r.manifest_media_type = stmt.text(2);
  r.index_digest = stmt.text(3);
  r.created = stmt.text(4);
  r.size = stmt.integer(5);
  r.added = stmt.integer(6);
  auto layers = TRY(db_->prepare(
      "SELECT digest, media_type, size, diff_id, chain_id FROM image_layers"
      " WHERE image_id = ? ORDER BY idx"));
  layers.bind_all(id);
  while (TRY(layers.step()))
    r.layers.push_back({layers.text(0), layers.text(1), layers.integer(2), layers.text(3),
                        layers.text(4)});
  auto refs = TRY(db_->prepare("SELECT name, kind FROM refs WHERE image_id = ? ORDER BY added, name"));
  refs.bind_all(id);
  while (TRY(refs.step()))
    (refs.text(1) == "tag" ? r.repo_tags : r.repo_digests).push_back(refs.text(0));
  return r;
}

Result<std::optional<std::string>> ImageStore::lookup_ref(const std::string& full) {
  auto stmt = TRY(db_->prepare("SELECT image_id FROM refs WHERE name = ?"));
  stmt.bind_all(full);
  if (!TRY(stmt.step())) return std::optional<std::string>();
  return std::optional<std::string>(stmt.text(0));
}

Result<ImageRecord> ImageStore::resolve(const std::string& name) {
  if (auto ref = oci::parse_reference(name)) {
    auto copy = *ref;
    if (!copy.digest.empty()) copy.tag.clear();
    if (auto id = TRY(lookup_ref(copy.full()))) return get(*id);
  }
  std::string hex = name.rfind("sha256:", 0) == 0 ? name.substr(7) : name;
  if (is_hex(hex) && hex.size() <= 64) {
    auto stmt = TRY(db_->prepare("SELECT id FROM images WHERE id LIKE ? LIMIT 2"));
    stmt.bind_all("sha256:" + hex + "%");
    std::vector<std::string> hits;
    while (TRY(stmt.step())) hits.push_back(stmt.text(0));
    if (hits.size() == 1) return get(hits[0]);
    if (hits.size() > 1)
      return make_error(ErrorCategory::InvalidArgument, "ambiguous image ID prefix " + name);
  }
  return make_error(ErrorCategory::NotFound, "No such image: " + name);
}

Result<std::vector<ImageRecord>> ImageStore::list() {
  auto stmt = TRY(db_->prepare("SELECT id FROM images ORDER BY added DESC, id"));
  std::vector<std::string> ids;
  while (TRY(stmt.step())) ids.push_back(stmt.text(0));
  std::vector<ImageRecord> out;
  for (const auto& id : ids) out.push_back(TRY(get(id)));
  return out;
}

Result<std::vector<std::string>> ImageStore::refs_of(const std::string& id) {
  auto stmt = TRY(db_->prepare("SELECT name FROM refs WHERE image_id = ? ORDER BY name"));
  stmt.bind_all(id);
  std::vector<std::string> out;
  while (TRY(stmt.step())) out.push_back(stmt.text(0));
  return out;
}

Result<> ImageStore::delete_ref(const std::string& full) {
  auto stmt = TRY(db_->prepare("DELETE FROM refs WHERE name = ?"));
  stmt.bind_all(full);
  return stmt.run();
}

Result<std::vector<DeleteItem>> ImageStore::remove(const std::string& name, bool force,
                                                   const UseChecker& in_use) {
  std::vector<DeleteItem> items;
  // Ask about containers before taking the write lock: the checker locks
  // the container service, which writes to the database while holding its
  // lock, so asking inside the transaction could deadlock. A container
  // created in between keeps its snapshot (GC keeps what active snapshots
  // stand on), as with dockerd's equally unlocked check.
  auto target = TRY(resolve(name));
  ImageUse use = in_use ? in_use(target.id) : ImageUse{};
  UseChecker known = [&](const std::string&) { return use; };
  TRY(db_->transaction([&]() -> Result<> {
    auto image = TRY(resolve(name));
    if (image.id != target.id)
      return make_error(ErrorCategory::Conflict, "conflict: " + name + " changed while being deleted; try again");
    bool removed_ref = false;
    auto ref = oci::parse_reference(name);
    std::string full;
    if (ref) {
      auto copy = *ref;
      if (!copy.digest.empty()) copy.tag.clear();
      full = copy.full();
    }
    bool by_ref = ref && TRY(lookup_ref(full)).has_value();
    if (by_ref) {
      // As dockerd: untagging the last name of an image a container uses
      // would leave that image dangling, so it takes force.
      if (!force && (use.running || use.stopped) && single_reference(TRY(refs_of(image.id))))
        return make_error(ErrorCategory::Conflict,
                          "conflict: unable to remove repository reference \"" + name +
                              "\" (must force) - container " + use.container.substr(0, 12) +
                              " is using its referenced image " + image.id.substr(7, 12));
      TRY(delete_ref(full));
      items.push_back({ref->familiar(), ""});
      auto rest = TRY(refs_of(image.id));
      // As Docker: once no tag of this repository is left, its digest
      // references go too; the image lives on while other refs remain.
      bool repo_tag_left = false;
      for (const auto& r : rest)
        if (repo_of(r) == ref->name() && r.find('@') == std::string::npos) repo_tag_left = true;
      size_t left = rest.size();
      if (ref->digest.empty() && !repo_tag_left)
        for (const auto& r : rest)
          if (repo_of(r) == ref->name()) {
            TRY(delete_ref(r));
            items.push_back({familiar(r), ""});
            --left;
          }
      if (left > 0) return ok();
      removed_ref = true;
    } else {
      auto refs = TRY(refs_of(image.id));
      bool single_repo = true;
      for (const auto& r : refs)
        if (repo_of(r) != repo_of(refs.front())) single_repo = false;
      if (!refs.empty() && !single_repo && !force)
        return make_error(ErrorCategory::Conflict,
                          "conflict: unable to delete " + image.id.substr(7, 12) +
                              " (must be forced) - image is referenced in multiple repositories");
      if (use.running || (use.stopped && !force))
        return make_error(ErrorCategory::Conflict,
                          "conflict: unable to delete " + image.id.substr(7, 12) +
                              " (cannot be forced) - image is being used by " +
                              (use.running ? "running" : "stopped") + " container");
      for (const auto& r : refs) {
        TRY(delete_ref(r));
        items.push_back({familiar(r), ""});
      }
    }
    auto deleted = TRY(delete_image(image.id, force, removed_ref, known));
    items.insert(items.end(), deleted.begin(), deleted.end());
    return ok();
  }));
  return items;
}

Result<std::vector<DeleteItem>> ImageStore::delete_image(const std::string& id, bool force,
                                                         bool removed_ref,
                                                         const UseChecker& in_use) {
  auto use = in_use ? in_use(id) : ImageUse{};
  bool conflict = use.running || (!force && (use.stopped || !TRY(refs_of(id)).empty()));
  if (conflict) {
    // Untagging already did what was asked; a used image stays, dangling.
    if (removed_ref) return std::vector<DeleteItem>{};
    return make_error(ErrorCategory::Conflict,
                      "conflict: unable to delete " + id.substr(7, 12) +
                          " - image is being used by a container or still referenced");
  }
  auto stmt = TRY(db_->prepare("DELETE FROM images WHERE id = ?"));
  stmt.bind_all(id);
  TRY(stmt.run());
  return std::vector<DeleteItem>{{"", id}};
}

Result<std::set<std::string>> ImageStore::referenced_blobs() {
  auto stmt = TRY(db_->prepare("SELECT DISTINCT digest FROM image_blobs"));
  std::set<std::string> out;
  while (TRY(stmt.step())) out.insert(stmt.text(0));
  return out;
}

Result<std::set<std::string>> ImageStore::referenced_chain_ids() {
  auto stmt = TRY(db_->prepare("SELECT DISTINCT chain_id FROM image_layers"));
  std::set<std::string> out;
  while (TRY(stmt.step())) out.insert(stmt.text(0));
  return out;
}

}  // namespace berth::image
