#include "registry/unpack_pipeline.hpp"

#include <chrono>

namespace berth::registry {

UnpackPipeline::UnpackPipeline(image::ContentStore& content, snapshot::Snapshotter& snapshots,
                               image::UnpackOptions options, std::vector<PipelineLayer> layers,
                               StatusFn status)
    : content_(content),
      snapshots_(snapshots),
      options_(std::move(options)),
      layers_(std::move(layers)),
      status_(std::move(status)),
      ready_(layers_.size(), false) {
  thread_ = std::thread([this] { run(); });
}

UnpackPipeline::~UnpackPipeline() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UnpackPipeline::ready(const std::string& digest) {
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < layers_.size(); ++i)
      if (layers_[i].digest == digest) ready_[i] = true;
  }
  cv_.notify_all();
}

Result<> UnpackPipeline::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return finished_; });
  if (error_) return tl::unexpected(*error_);
  return ok();
}

Result<> UnpackPipeline::apply(size_t i, const std::string& parent) {
  const auto& l = layers_[i];
  auto options = options_;
  std::chrono::steady_clock::time_point last{};
  if (status_)
    options.on_progress = [&](uint64_t read) {
      auto now = std::chrono::steady_clock::now();
      auto current = static_cast<int64_t>(read);
      if (current < l.size && now - last < std::chrono::milliseconds(100)) return;
      last = now;
      status_(l.digest, "Extracting", current, l.size);
    };
  auto fd = TRY(content_.open_blob(l.digest));
  TRY_CTX(image::apply_to_snapshot(snapshots_, fd.get(), parent, l.chain_id, l.diff_id, options),
          "extract " + l.digest.substr(0, 19));
  return ok();
}

void UnpackPipeline::run() {
  std::string parent;
  Result<> result = ok();
  for (size_t i = 0; i < layers_.size() && result; ++i) {
    auto existing = snapshots_.stat(layers_[i].chain_id);
    if (!existing || existing->kind != snapshot::Kind::Committed) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return ready_[i] || cancelled_; });
        if (!ready_[i]) {
          result = make_error(ErrorCategory::Unavailable, "pull cancelled");
          break;
        }
      }
      result = apply(i, parent);
      if (!result) break;
    }
    if (status_) status_(layers_[i].digest, "Pull complete", -1, -1);
    parent = layers_[i].chain_id;
  }
  std::lock_guard lock(mu_);
  if (!result) error_ = result.error();
  finished_ = true;
  cv_.notify_all();
}

}  // namespace berth::registry
