#include "image/bootstrap.hpp"

#include <fcntl.h>

#include <random>

#include "base/file.hpp"
#include "base/scope_guard.hpp"
#include "image/create.hpp"
#include "oci/image_reference.hpp"

namespace berth::image {

namespace {

constexpr const char* kPath = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

Result<> debootstrap(const BootstrapOptions& o, const std::string& dir, const BootstrapLog& log) {
  if (::access(o.debootstrap.c_str(), X_OK) != 0)
    return make_error(ErrorCategory::NotFound, o.debootstrap + " is not installed (apt-get install debootstrap)");
  auto status = TRY(detail::run_program(
      {o.debootstrap, "--variant=minbase", o.suite, dir, o.mirror}, log));
  if (!status.exited_ok())
    return make_error(ErrorCategory::Internal,
                      "debootstrap " + o.suite + " failed with status " + std::to_string(status.shell_code()) +
                          " (see the lines above; is " + o.mirror + " reachable?)");
  return ok();
}

struct Plan {
  std::string reference;
  std::vector<std::string> changes;
};

Result<Plan> plan_for(const BootstrapOptions& o) {
  if (o.kind == "busybox") return Plan{o.reference.empty() ? "busybox:latest" : o.reference, {kPath, "CMD [\"sh\"]"}};
  if (o.kind == "debian")
    return Plan{o.reference.empty() ? "debian:" + o.suite : o.reference, {kPath, "CMD [\"bash\"]"}};
  return make_error(ErrorCategory::InvalidArgument, "unknown bootstrap image \"" + o.kind + "\" (busybox or debian)");
}

}  // namespace

const std::vector<std::string>& bootstrap_kinds() {
  static const std::vector<std::string> kinds = {"busybox", "debian"};
  return kinds;
}

Result<ImageRecord> bootstrap_image(Context& ctx, snapshot::Snapshotter& snapshots,
                                    const BootstrapOptions& options, const BootstrapLog& log) {
  auto plan = TRY(plan_for(options));
  auto ref = TRY(oci::parse_reference(plan.reference));
  if (!ref.digest.empty())
    return make_error(ErrorCategory::InvalidArgument, "cannot tag a bootstrapped image with a digest");
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string key = "bootstrap-" + std::to_string(rng() & 0xffffffffu);
  TRY(snapshots.prepare(key, ""));
  // The tree only lives in this active snapshot; the image keeps a layer.
  auto drop = ScopeGuard([&] { (void)snapshots.remove(key); });
  auto dir = TRY(snapshots.apply_dir(key));
  if (options.kind == "busybox") {
    auto root = TRY(open_file(dir, O_RDONLY | O_DIRECTORY));
    TRY(detail::build_busybox_tree(root.get(), options.busybox, log));
  } else {
    if (log) log("debootstrap --variant=minbase " + options.suite + " from " + options.mirror);
    TRY(debootstrap(options, dir, log));
    auto root = TRY(open_file(dir, O_RDONLY | O_DIRECTORY));
    TRY_CTX(detail::clean_debian_tree(root.get()), "clean the debootstrap tree");
  }
  if (log) log("committing the layer");
  CommitOptions commit;
  commit.message = "berth image bootstrap " + options.kind;
  commit.created_by = "berth image bootstrap " + options.kind;
  commit.changes = plan.changes;
  auto record = TRY(commit_snapshot(ctx, snapshots, key, commit));
  TRY(ctx.images.tag(record.id, ref.full()));
  if (log) log("tagged " + ref.familiar() + " as " + record.id);
  return TRY(ctx.images.get(record.id));
}

}  // namespace berth::image
