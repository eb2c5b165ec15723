// state, list and ps: read-only questions about containers.
#include <dirent.h>

#include <algorithm>

#include "runtime/lifecycle_util.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

Result<oci::State> state(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  return to_state(ctx, record);
}

Result<std::vector<oci::State>> list(const Context& ctx) {
  std::vector<oci::State> out;
  DIR* d = ::opendir(ctx.root.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return out;
    return sys_error("open " + ctx.root);
  }
  std::vector<std::string> ids;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ids.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    auto record = load_record(ctx, id);
    if (record) out.push_back(to_state(ctx, *record));  // half-created ones are skipped
  }
  return out;
}

Result<std::vector<pid_t>> pids(const Context& ctx, const std::string& id) {
  auto record = TRY(load_record(ctx, id));
  auto manager = TRY(record_manager(record));
  if (!manager) {
    if (status(ctx, record) == oci::Status::Stopped) return std::vector<pid_t>{};
    return std::vector<pid_t>{record.init_pid};
  }
  return manager->pids();
}

}  // namespace berth::runtime
