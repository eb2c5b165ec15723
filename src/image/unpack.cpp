#include "image/unpack.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <random>

#include "base/file.hpp"
#include "base/scope_guard.hpp"

namespace berth::image {

Result<ApplyResult> apply_to_snapshot(snapshot::Snapshotter& snapshots, int blob_fd,
                                      const std::string& parent, const std::string& name,
                                      const std::string& expected_diff_id,
                                      const UnpackOptions& options) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string key = "extract-" + std::to_string(rng() & 0xffffffffu) + "-" + name;
  TRY(snapshots.prepare(key, parent));
  auto undo = ScopeGuard([&] { (void)snapshots.remove(key); });
  auto dir = TRY(snapshots.apply_dir(key));
  auto src = TRY(snapshots.diff_source(key));
  ApplyOptions apply;
  apply.whiteouts = snapshots.whiteout_style();
  apply.allow_devices = options.allow_devices;
  apply.limits = options.limits;
  apply.lowers = src.lowers;
  apply.expected_diff_id = expected_diff_id;
  apply.on_progress = options.on_progress;
  auto root = TRY(open_file(dir, O_RDONLY | O_DIRECTORY));
  auto result = TRY_CTX(apply_layer(root.get(), blob_fd, apply), "apply layer " + name);
  auto committed = snapshots.commit(name, key);
  if (!committed) {
    // Lost a race with another unpack of the same layer: theirs is as good.
    if (committed.error().is(ErrorCategory::Conflict)) return result;
    return tl::unexpected(committed.error());
  }
  undo.dismiss();
  return result;
}

Result<std::string> unpack(ImageStore& images, snapshot::Snapshotter& snapshots,
                           const ImageRecord& image, const UnpackOptions& options) {
  std::string parent;
  for (const auto& layer : image.layers) {
    auto existing = snapshots.stat(layer.chain_id);
    if (existing && existing->kind == snapshot::Kind::Committed) {
      parent = layer.chain_id;
      continue;
    }
    auto blob = TRY(images.content().open_blob(layer.digest));
    TRY_CTX(apply_to_snapshot(snapshots, blob.get(), parent, layer.chain_id, layer.diff_id, options),
            "unpack " + image.id);
    parent = layer.chain_id;
  }
  return parent;
}

}  // namespace berth::image
