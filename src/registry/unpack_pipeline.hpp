// Extraction overlapped with download: one thread applies the layers of a
// pull into snapshots, in order, each as soon as its blob is verified in
// the content store, while later blobs are still downloading (dockerd
// waits for each download too, but then extracts layer by layer).
//
// Order matters (an overlay layer takes implied directories and
// copied-up hardlinks from the layers below it), so layer i starts only
// after layer i-1 is committed. The caller pins every chain ID with a
// snapshot lease first: the snapshots exist before the image record that
// would otherwise keep them from garbage collection.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "image/context.hpp"
#include "image/unpack.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::registry {

struct PipelineLayer {
  std::string digest;    // blob
  std::string diff_id;   // expected digest of the uncompressed tar
  std::string chain_id;  // the committed snapshot's name
  int64_t size = 0;      // blob bytes, the total of "Extracting" progress
};

class UnpackPipeline {
 public:
  // `status(digest, text)` reports "Extracting" and "Pull complete"; it is
  // called from the pipeline's thread.
  // A layer's status line; current/total are -1 except for "Extracting"
  // progress (blob bytes consumed, as dockerd reports it).
  using StatusFn = std::function<void(const std::string& digest, const std::string& status, int64_t current,
                                      int64_t total)>;

  UnpackPipeline(image::ContentStore& content, snapshot::Snapshotter& snapshots,
                 image::UnpackOptions options, std::vector<PipelineLayer> layers, StatusFn status);
  // Cancels (a layer being applied finishes or fails first) and joins.
  ~UnpackPipeline();
  UnpackPipeline(const UnpackPipeline&) = delete;
  UnpackPipeline& operator=(const UnpackPipeline&) = delete;

  // The blob `digest` is in the content store (downloaded or present).
  void ready(const std::string& digest);
  // Waits until every layer is committed; the first error otherwise.
  Result<> wait();

 private:
  void run();
  Result<> apply(size_t i, const std::string& parent);

  image::ContentStore& content_;
  snapshot::Snapshotter& snapshots_;
  image::UnpackOptions options_;
  std::vector<PipelineLayer> layers_;
  StatusFn status_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bool> ready_;
  bool cancelled_ = false;
  bool finished_ = false;
  std::optional<Error> error_;
  std::thread thread_;
};

}  // namespace berth::registry
