#include "runtime/lifecycle_util.hpp"
#include "runtime/resources.hpp"
#include "runtime/runtime.hpp"

// pause, resume and update: operations on the container's cgroup.
namespace berth::runtime {
namespace {

Result<cgroups::Manager*> freezer_of(const Record& record, std::unique_ptr<cgroups::Manager>& holder) {
  holder = TRY(record_manager(record));
  if (!holder) return make_error(ErrorCategory::Unavailable, "container " + record.id + " has no cgroup to freeze");
  return holder.get();
}

}  // namespace

Result<> pause(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  auto st = status(ctx, record);
  if (st != oci::Status::Running && st != oci::Status::Created)
    return make_error(ErrorCategory::Conflict, "container not running or created: " + status_word(st));
  std::unique_ptr<cgroups::Manager> holder;
  auto* manager = TRY(freezer_of(record, holder));
  return manager->freeze(cgroups::FreezerState::Frozen);
}

Result<> resume(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  if (status(ctx, record) != oci::Status::Paused) return make_error(ErrorCategory::Conflict, "container not paused");
  std::unique_ptr<cgroups::Manager> holder;
  auto* manager = TRY(freezer_of(record, holder));
  return manager->freeze(cgroups::FreezerState::Thawed);
}

Result<> update(const Context& ctx, const std::string& id, const oci::Resources& resources) {
  auto record = TRY(load_record(ctx, id));
  if (status(ctx, record) == oci::Status::Stopped)
    return make_error(ErrorCategory::Conflict, "cannot update a stopped container");
  auto manager = TRY(record_manager(record));
  if (!manager) return make_error(ErrorCategory::Unavailable, "container " + id + " has no cgroup");
  return manager->apply(to_cgroup_resources(resources));
}

}  // namespace berth::runtime
