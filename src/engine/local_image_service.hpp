// The engine's ImageService over one data root's ImageStores: listing,
// inspect, history, tag/untag/delete with Docker's rules, docker-archive
// load/save, rootfs import and prune, each publishing dockerd's image
// events. It also reports image counts and sizes to /info and
// /system/df (ImageInventory).
//
// Every call holds one mutex (the service's caches, and Docker's
// one-change-at-a-time image semantics); a load or import holds it while
// the client uploads. Bootstrap holds it only to publish: debootstrap
// runs for minutes, and its snapshot and lease keep GC away meanwhile. Containers are seen through the UseChecker the container
// service installs; until then nothing counts as in use.
#pragma once

#include <map>
#include <mutex>

#include "engine/events.hpp"
#include "engine/image_service.hpp"
#include "engine/image_stores.hpp"
#include "engine/services.hpp"
#include "image/image_store.hpp"

namespace berth::engine {

// Daemon settings the registry client needs (daemon.json names).
struct RegistrySettings {
  std::vector<std::string> mirrors;              // registry-mirrors
  std::vector<std::string> insecure_registries;  // insecure-registries
  // Credentials come only from X-Registry-Auth, as with dockerd; this
  // names a config.json that should not exist so none is read instead.
  std::string docker_config = "/nonexistent/berth/config.json";
};

class LocalImageService final : public ImageService, public ImageInventory {
 public:
  // `stores` (with its snapshotter) and `events` outlive the service.
  LocalImageService(ImageStores& stores, EventBus& events, std::string driver_name);

  void set_use_checker(image::UseChecker checker);
  void set_registry_settings(RegistrySettings settings) { registry_ = std::move(settings); }

  Result<std::vector<ImageSummary>> list(const Filters& filters, bool all) override;
  Result<ImageDetails> inspect(const std::string& name) override;
  Result<std::vector<ImageHistoryItem>> history(const std::string& name) override;
  Result<> tag(const std::string& name, const std::string& repo, const std::string& tag) override;
  Result<std::vector<ImageDeleted>> remove(const std::string& name, bool force) override;
  Result<ImageLoaded> load(int fd) override;
  Result<> check_names(const std::vector<std::string>& names) override;
  Result<> save(const std::vector<std::string>& names, int fd) override;
  Result<std::string> import(int fd, const ImageImportRequest& request) override;
  Result<std::string> commit(const ImageCommitRequest& request) override;
  Result<ImagePruneReport> prune(const Filters& filters) override;
  Result<> pull(const RegistryRequest& request, const ProgressLineFn& progress) override;
  Result<> push(const RegistryRequest& request, const ProgressLineFn& progress) override;
  Result<> login(const LoginRequest& request) override;
  Result<DistributionInspect> distribution(const RegistryRequest& request) override;
  Result<std::vector<ImageSearchResult>> search(const ImageSearchRequest& request) override;
  Result<> bootstrap(const ImageBootstrapRequest& request, const ProgressLineFn& progress) override;

  int64_t image_count() const override;
  int64_t layers_size() const override;
  std::vector<DiskUsage::Image> image_usage() const override;

 private:
  // All below: called with mu_ held.
  Result<ImageSummary> summarize(const image::ImageRecord& record) const;
  Result<int64_t> layer_size(const image::LayerRecord& layer) const;
  Result<int64_t> unique_layers_size() const;
  Result<std::vector<ImageDeleted>> remove_locked(const std::string& name, bool force);
  void collect_garbage();
  Result<std::vector<std::string>> push_targets(const RegistryRequest& request);
  void publish(const std::string& action, const std::string& id, const std::string& name);

  mutable std::mutex mu_;
  ImageStores& stores_;
  EventBus& events_;
  std::string driver_name_;
  image::UseChecker in_use_;
  RegistrySettings registry_;
  mutable std::map<std::string, int64_t> layer_sizes_;  // diff ID -> content size
};

// RFC 3339 (Go's time.RFC3339Nano, any zone) to Unix seconds; 0 if malformed.
int64_t parse_rfc3339_seconds(std::string_view text);

}  // namespace berth::engine
