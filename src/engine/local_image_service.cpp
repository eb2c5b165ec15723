// Read side of the image service: list, inspect, history and the
// inventory /info and /system/df read.
#include "engine/local_image_service.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>

#include "image/layer_size.hpp"
#include "oci/image_config.hpp"
#include "oci/image_reference.hpp"

namespace berth::engine {
namespace {

std::string familiar(const std::string& full) {
  auto ref = oci::parse_reference(full);
  return ref ? ref->familiar() : full;
}

// Docker's reference filter (FamiliarMatch): the pattern, with path.Match
// rules ('*' stops at '/'), against "name:tag" or just the name.
bool reference_matches(const std::string& pattern, const std::string& full) {
  auto ref = oci::parse_reference(full);
  if (!ref) return false;
  return ::fnmatch(pattern.c_str(), ref->familiar().c_str(), FNM_PATHNAME) == 0 ||
         ::fnmatch(pattern.c_str(), ref->familiar_name().c_str(), FNM_PATHNAME) == 0;
}

Result<oci::ImageConfig> read_config(ImageStores& stores, const std::string& id) {
  return TRY_CTX(oci::parse_image_config(TRY(stores.content->read(id))), "image config " + id);
}

std::optional<boost::json::object> object_at(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_object()) return std::nullopt;
  return v->as_object();
}

std::string string_at(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The parent a commit recorded in the config, while that image is here.
std::optional<image::ImageRecord> parent_of(ImageStores& stores, const oci::ImageConfig& config) {
  auto id = string_at(config.raw, "parent");
  if (id.empty()) return std::nullopt;
  auto parent = stores.images->resolve(id);
  if (!parent || parent->id != id) return std::nullopt;
  return std::move(*parent);
}

}  // namespace

int64_t parse_rfc3339_seconds(std::string_view text) {
  std::string s(text);
  int y, mo, d, h, mi, sec, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
    return 0;
  size_t i = static_cast<size_t>(used);
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9';) ++i;
  std::tm tm{};
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  int64_t t = ::timegm(&tm);
  int oh = 0, om = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-') &&
      std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2)
    t -= (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  return t;
}

LocalImageService::LocalImageService(ImageStores& stores, EventBus& events, std::string driver_name)
    : stores_(stores), events_(events), driver_name_(std::move(driver_name)) {}

void LocalImageService::set_use_checker(image::UseChecker checker) {
  std::lock_guard lock(mu_);
  in_use_ = std::move(checker);
}

Result<int64_t> LocalImageService::layer_size(const image::LayerRecord& layer) const {
  if (auto it = layer_sizes_.find(layer.diff_id); it != layer_sizes_.end()) return it->second;
  auto size = TRY(image::layer_content_size(*stores_.content, layer));
  layer_sizes_[layer.diff_id] = size;
  return size;
}

Result<int64_t> LocalImageService::unique_layers_size() const {
  std::set<std::string> seen;
  int64_t total = 0;
  for (const auto& image : TRY(stores_.images->list()))
    for (const auto& layer : image.layers)
      if (seen.insert(layer.diff_id).second) total += TRY(layer_size(layer));
  return total;
}

Result<ImageSummary> LocalImageService::summarize(const image::ImageRecord& record) const {
  ImageSummary s;
  s.id = record.id;
  for (const auto& t : record.repo_tags) s.repo_tags.push_back(familiar(t));
  for (const auto& d : record.repo_digests) s.repo_digests.push_back(familiar(d));
  s.created = parse_rfc3339_seconds(record.created);
  for (const auto& layer : record.layers) s.size += TRY(layer_size(layer));
  auto config = TRY(read_config(stores_, record.id));
  s.labels = config.config.labels;
  if (auto parent = parent_of(stores_, config)) s.parent_id = parent->id;
  return s;
}

Result<std::vector<ImageSummary>> LocalImageService::list(const Filters& filters, bool) {
  TRY(filters.validate({"before", "dangling", "label", "reference", "since", "until"}));
  std::lock_guard lock(mu_);
  std::optional<int64_t> before, since;
  if (filters.contains("before"))
    before = parse_rfc3339_seconds(TRY(stores_.images->resolve(filters.values("before").front())).created);
  if (filters.contains("since"))
    since = parse_rfc3339_seconds(TRY(stores_.images->resolve(filters.values("since").front())).created);
  std::optional<bool> dangling;
  for (const auto& v : filters.values("dangling")) {
    if (v != "true" && v != "false" && v != "1" && v != "0")
      return make_error(ErrorCategory::InvalidArgument, "invalid filter 'dangling=" + v + "'");
    dangling = v == "true" || v == "1";
  }
  auto patterns = filters.values("reference");
  std::vector<ImageSummary> out;
  for (const auto& record : TRY(stores_.images->list())) {
    auto s = TRY(summarize(record));
    if (before && s.created >= *before) continue;
    if (since && s.created <= *since) continue;
    bool is_dangling = record.repo_tags.empty() && record.repo_digests.empty();
    if (dangling && *dangling != is_dangling) continue;
    if (!filters.match_labels("label", s.labels)) continue;
    if (!patterns.empty()) {
      // Like dockerd: only the matching references are listed.
      std::vector<std::string> tags, digests;
      for (const auto& p : patterns) {
        for (const auto& t : record.repo_tags)
          if (reference_matches(p, t)) tags.push_back(familiar(t));
        for (const auto& d : record.repo_digests)
          if (reference_matches(p, d)) digests.push_back(familiar(d));
      }
      if (tags.empty() && digests.empty()) continue;
      s.repo_tags = std::move(tags);
      s.repo_digests = std::move(digests);
    }
    out.push_back(std::move(s));
  }
  // Newest first, as dockerd sorts.
  std::stable_sort(out.begin(), out.end(),
                   [](const ImageSummary& a, const ImageSummary& b) { return a.created > b.created; });
  return out;
}

Result<ImageDetails> LocalImageService::inspect(const std::string& name) {
  std::lock_guard lock(mu_);
  auto record = TRY(stores_.images->resolve(name));
  ImageDetails d;
  d.summary = TRY(summarize(record));
  auto config = TRY(read_config(stores_, record.id));
  const auto& raw = config.raw;
  d.created = config.created;
  d.author = config.author;
  d.comment = string_at(raw, "comment");
  d.docker_version = string_at(raw, "docker_version");
  d.architecture = config.architecture;
  d.variant = config.variant;
  d.os = config.os;
  d.os_version = string_at(raw, "os.version");
  d.config = object_at(raw, "config");
  d.container_config = object_at(raw, "container_config");
  d.container = string_at(raw, "container");
  d.rootfs_type = config.rootfs_type;
  d.diff_ids = config.diff_ids;
  d.graph_driver = driver_name_;
  return d;
}

Result<std::vector<ImageHistoryItem>> LocalImageService::history(const std::string& name) {
  std::lock_guard lock(mu_);
  auto record = TRY(stores_.images->resolve(name));
  auto config = TRY(read_config(stores_, record.id));
  std::vector<ImageHistoryItem> out;
  size_t layer = 0;
  for (const auto& h : config.history) {
    ImageHistoryItem item;
    item.id = "<missing>";
    item.created = parse_rfc3339_seconds(h.created);
    item.created_by = h.created_by;
    item.comment = h.comment;
    if (!h.empty_layer && layer < record.layers.size())
      item.size = TRY(layer_size(record.layers[layer++]));
    out.push_back(std::move(item));
  }
  std::reverse(out.begin(), out.end());
  // dockerd names the rows from the top by the image and then its
  // parents, one row each, as far as the recorded chain goes.
  std::optional<image::ImageRecord> image = record;
  for (auto& row : out) {
    if (!image) break;
    row.id = image->id;
    for (const auto& t : image->repo_tags) row.tags.push_back(familiar(t));
    auto image_config = read_config(stores_, image->id);
    image = image_config ? parent_of(stores_, *image_config) : std::nullopt;
  }
  return out;
}

int64_t LocalImageService::image_count() const {
  std::lock_guard lock(mu_);
  auto images = stores_.images->list();
  return images ? static_cast<int64_t>(images->size()) : 0;
}

int64_t LocalImageService::layers_size() const {
  std::lock_guard lock(mu_);
  return unique_layers_size().value_or(0);
}

std::vector<DiskUsage::Image> LocalImageService::image_usage() const {
  std::lock_guard lock(mu_);
  std::vector<DiskUsage::Image> out;
  auto images = stores_.images->list();
  if (!images) return out;
  std::map<std::string, int> layer_users;
  for (const auto& image : *images)
    for (const auto& layer : image.layers) ++layer_users[layer.diff_id];
  for (const auto& image : *images) {
    auto s = summarize(image);
    if (!s) continue;
    DiskUsage::Image u{s->id, s->repo_tags, s->created, s->size, 0, -1};
    for (const auto& layer : image.layers)
      if (layer_users[layer.diff_id] > 1) u.shared_size += layer_size(layer).value_or(0);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace berth::engine
