// `berth image bootstrap`: base images built on this machine
// (image/bootstrap.hpp), reported as dockerd-style progress lines.
#include "engine/local_image_service.hpp"
#include "image/bootstrap.hpp"
#include "oci/image_reference.hpp"
#include "registry/progress.hpp"

namespace berth::engine {

Result<> LocalImageService::bootstrap(const ImageBootstrapRequest& request, const ProgressLineFn& progress) {
  if (!stores_.snapshots) return make_error(ErrorCategory::Unavailable, "no snapshotter configured");
  image::BootstrapOptions options;
  options.kind = request.kind;
  options.reference = request.reference;
  if (!request.suite.empty()) options.suite = request.suite;
  if (!request.mirror.empty()) options.mirror = request.mirror;
  auto log = [&progress](const std::string& line) {
    if (progress) progress(registry::to_json_message({"", line, -1, -1, false, "", ""}));
  };
  // Not under mu_: the store calls are safe from any thread, and the
  // tree is private to this call's active snapshot until it is committed.
  auto ctx = stores_.context();
  auto record = TRY(image::bootstrap_image(ctx, *stores_.snapshots, options, log));
  std::lock_guard lock(mu_);
  for (const auto& tag : record.repo_tags) {
    auto ref = oci::parse_reference(tag);
    publish("tag", record.id, ref ? ref->familiar() : tag);
  }
  return ok();
}

}  // namespace berth::engine
