// Write side of the image service: tag, delete, load, save, import and
// prune. Deletions and prunes run the garbage collector afterwards, so
// blobs and snapshots of deleted images do not linger.
#include <algorithm>
#include <cctype>
#include <set>

#include "base/log.hpp"
#include "engine/local_image_service.hpp"
#include "image/create.hpp"
#include "image/docker_archive.hpp"
#include "image/gc.hpp"
#include "oci/image_reference.hpp"

namespace berth::engine {
namespace {

std::vector<ImageDeleted> convert(const std::vector<image::DeleteItem>& items) {
  std::vector<ImageDeleted> out;
  for (const auto& i : items) out.push_back({i.untagged, i.deleted});
  return out;
}

// `repo` + optional `tag`, as dockerd's tag and import handlers join them.
Result<oci::Reference> join_reference(const std::string& repo, const std::string& tag) {
  if (repo.empty()) return make_error(ErrorCategory::InvalidArgument, "repository name must have at least one component");
  auto ref = TRY(oci::parse_reference(tag.empty() ? repo : repo + ":" + tag));
  if (!ref.digest.empty())
    return make_error(ErrorCategory::InvalidArgument, "refusing to create a tag with a digest reference");
  return ref;
}

// dockerd's `until`: Unix seconds, RFC 3339, or a Go duration before now
// ("24h", "90m", "1h30m").
Result<int64_t> parse_until(const std::string& value, int64_t now) {
  if (value.find('T') != std::string::npos) {
    if (auto t = parse_rfc3339_seconds(value)) return t;
  }
  bool numeric = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (numeric) return static_cast<int64_t>(std::stod(value));
  int64_t seconds = 0;
  double number = 0;
  bool have = false;
  size_t i = 0;
  while (i < value.size()) {
    size_t used = 0;
    try {
      number = std::stod(value.substr(i), &used);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || i + used >= value.size()) have = false;
    else {
      char unit = value[i + used];
      int64_t scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : unit == 's' ? 1 : 0;
      have = scale != 0;
      seconds += static_cast<int64_t>(number * static_cast<double>(scale));
    }
    if (!have) return make_error(ErrorCategory::InvalidArgument, "invalid filter 'until=" + value + "'");
    i += used + 1;
  }
  return now - seconds;
}

}  // namespace

void LocalImageService::publish(const std::string& action, const std::string& id, const std::string& name) {
  Event e;
  e.type = "image";
  e.action = action;
  e.actor_id = id;
  if (!name.empty()) e.attributes["name"] = name;
  events_.publish(std::move(e));
}

void LocalImageService::collect_garbage() {
  auto r = image::collect_garbage(*stores_.images, *stores_.leases, stores_.snapshots.get());
  if (!r) {
    log::warn("image garbage collection failed", {{"error", r.error()}});
    return;
  }
  if (!r->blobs.empty() || !r->snapshots.empty())
    log::debug("image garbage collected", {{"blobs", static_cast<int64_t>(r->blobs.size())},
                                           {"snapshots", static_cast<int64_t>(r->snapshots.size())}});
}

Result<> LocalImageService::tag(const std::string& name, const std::string& repo, const std::string& tag) {
  auto ref = TRY(join_reference(repo, tag));
  std::lock_guard lock(mu_);
  auto record = TRY(stores_.images->resolve(name));
  TRY(stores_.images->tag(record.id, ref.full()));
  publish("tag", record.id, ref.familiar());
  return ok();
}

Result<std::vector<ImageDeleted>> LocalImageService::remove_locked(const std::string& name, bool force) {
  auto record = TRY(stores_.images->resolve(name));
  auto items = TRY(stores_.images->remove(name, force, in_use_));
  for (const auto& i : items) {
    if (!i.untagged.empty()) publish("untag", record.id, record.id);
    if (!i.deleted.empty()) publish("delete", record.id, record.id);
  }
  return convert(items);
}

Result<std::vector<ImageDeleted>> LocalImageService::remove(const std::string& name, bool force) {
  std::lock_guard lock(mu_);
  auto out = TRY(remove_locked(name, force));
  collect_garbage();
  return out;
}

Result<ImageLoaded> LocalImageService::load(int fd) {
  std::lock_guard lock(mu_);
  auto ctx = stores_.context();
  auto result = TRY(image::load_docker_archive(ctx, fd));
  ImageLoaded out;
  out.tags = result.tags;
  std::set<std::string> tags(result.tags.begin(), result.tags.end());
  for (const auto& id : result.image_ids) {
    auto record = TRY(stores_.images->get(id));
    bool tagged = false;
    for (const auto& t : record.repo_tags) {
      auto ref = oci::parse_reference(t);
      if (ref && tags.count(ref->familiar())) {
        tagged = true;
        publish("load", id, ref->familiar());
      }
    }
    if (!tagged) {
      out.untagged_ids.push_back(id);
      publish("load", id, id);
    }
  }
  return out;
}

Result<> LocalImageService::check_names(const std::vector<std::string>& names) {
  std::lock_guard lock(mu_);
  if (names.empty()) return make_error(ErrorCategory::InvalidArgument, "no image names given");
  for (const auto& n : names) TRY(stores_.images->resolve(n));
  return ok();
}

Result<> LocalImageService::save(const std::vector<std::string>& names, int fd) {
  std::lock_guard lock(mu_);
  auto ctx = stores_.context();
  TRY(image::save_docker_archive(ctx, names, fd));
  for (const auto& n : names)
    if (auto r = stores_.images->resolve(n)) publish("save", r->id, n);
  return ok();
}

Result<std::string> LocalImageService::import(int fd, const ImageImportRequest& request) {
  image::ImportOptions options;
  if (!request.reference.empty()) options.tag = TRY(join_reference(request.reference, "")).full();
  options.changes = request.changes;
  options.message = request.message;
  options.source = request.source;
  std::lock_guard lock(mu_);
  auto ctx = stores_.context();
  auto record = TRY(image::import_rootfs(ctx, fd, options));
  publish("import", record.id, record.id);
  return record.id;
}

Result<std::string> LocalImageService::commit(const ImageCommitRequest& request) {
  image::CommitOptions options;
  options.parent_image = request.parent_image;
  options.author = request.author;
  options.message = request.message;
  options.created_by = request.created_by;
  options.changes = request.changes;
  options.container_config = request.container_config;
  options.container_id = request.container_id;
  options.own_config = request.own_config;
  options.docker_version = request.docker_version;
  if (!request.reference.empty()) options.tag = TRY(join_reference(request.reference, "")).full();
  std::lock_guard lock(mu_);
  if (!stores_.snapshots)
    return make_error(ErrorCategory::Unavailable, "commit needs a snapshotter");
  auto ctx = stores_.context();
  auto record = TRY(image::commit_snapshot(ctx, *stores_.snapshots, request.snapshot_key, options));
  if (!options.tag.empty()) publish("tag", record.id, TRY(oci::parse_reference(options.tag)).familiar());
  return record.id;
}

Result<ImagePruneReport> LocalImageService::prune(const Filters& filters) {
  TRY(filters.validate({"dangling", "label", "label!", "until"}));
  bool dangling_only = true;
  for (const auto& v : filters.values("dangling")) dangling_only = !(v == "false" || v == "0");
  std::optional<int64_t> until;
  int64_t now = ::time(nullptr);
  for (const auto& v : filters.values("until")) until = TRY(parse_until(v, now));
  std::lock_guard lock(mu_);
  int64_t size_before = TRY(unique_layers_size());
  ImagePruneReport report;
  for (const auto& record : TRY(stores_.images->list())) {
    bool dangling = record.repo_tags.empty() && record.repo_digests.empty();
    if (dangling_only && !dangling) continue;
    auto use = in_use_ ? in_use_(record.id) : image::ImageUse{};
    if (use.running || use.stopped) continue;
    auto s = TRY(summarize(record));
    if (until && s.created >= *until) continue;
    if (!filters.match_labels("label", s.labels)) continue;
    bool excluded = false;
    for (const auto& v : filters.values("label!")) {
      Filters one;
      one.add("label", v);
      if (one.match_labels("label", s.labels)) excluded = true;
    }
    if (excluded) continue;
    // Tagged images go reference by reference, as dockerd prunes them.
    std::vector<std::string> names = record.repo_tags;
    names.insert(names.end(), record.repo_digests.begin(), record.repo_digests.end());
    if (names.empty()) names.push_back(record.id);
    for (const auto& n : names) {
      auto items = remove_locked(n, false);
      if (!items) {
        log::warn("image prune: skipped", {{"image", n}, {"error", items.error()}});
        break;
      }
      report.deleted.insert(report.deleted.end(), items->begin(), items->end());
    }
  }
  collect_garbage();
  report.space_reclaimed = size_before - TRY(unique_layers_size());
  Event e{"image", "prune", "", {{"reclaimed", std::to_string(report.space_reclaimed)}}, "local", 0};
  events_.publish(std::move(e));
  return report;
}

}  // namespace berth::engine
