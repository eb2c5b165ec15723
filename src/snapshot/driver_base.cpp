#include "snapshot/driver_base.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "base/file.hpp"
#include "sys/dir.hpp"
#include "base/scope_guard.hpp"
#include "snapshot/fs_tree.hpp"

namespace berth::snapshot {

Result<std::pair<std::string, UniqueFd>> driver_dir(const std::string& root,
                                                    const std::string& driver) {
  std::string dir = root + "/" + driver + "/snapshots";
  TRY(make_dirs(dir, 0700));
  auto fd = TRY(open_file(dir, O_RDONLY | O_DIRECTORY));
  return std::make_pair(dir, std::move(fd));
}

Result<> DriverBase::cleanup_orphans() {
  auto known = TRY(meta_.ids());
  std::vector<std::string> orphans;
  for (const auto& n : TRY_CTX(sys::list_dir(dir_fd_.get()), "list " + dir_)) {
    char* end = nullptr;
    long long id = std::strtoll(n.c_str(), &end, 10);
    if (*end != 0 || !known.count(id)) orphans.push_back(n);
  }
  for (const auto& n : orphans) TRY_CTX(destroy(n), "remove orphan snapshot " + n);
  return ok();
}

Result<std::vector<Mount>> DriverBase::create_snapshot(const std::string& key,
                                                       const std::string& parent, Kind kind) {
  if (key.empty()) return make_error(ErrorCategory::InvalidArgument, "empty snapshot key");
  Info created;
  TRY_CTX(meta_.db().transaction([&]() -> Result<> {
            std::optional<Info> p;
            if (!parent.empty()) {
              p = TRY(meta_.get(parent));
              if (p->kind != Kind::Committed)
                return make_error(ErrorCategory::InvalidArgument,
                                  "parent " + parent + " is not committed");
            }
            int64_t id = TRY(meta_.insert(key, p ? std::optional<int64_t>(p->id) : std::nullopt,
                                          kind));
            auto undo = ScopeGuard([&] { (void)destroy(std::to_string(id)); });
            TRY(create(id, p, kind));
            created = Info{key, parent, kind, 0, id};
            undo.dismiss();
            return ok();
          }),
          std::string(kind == Kind::View ? "view " : "prepare ") + key);
  return mounts_for(created);
}

Result<std::vector<Mount>> DriverBase::prepare(const std::string& key, const std::string& parent) {
  return create_snapshot(key, parent, Kind::Active);
}

Result<std::vector<Mount>> DriverBase::view(const std::string& key, const std::string& parent) {
  return create_snapshot(key, parent, Kind::View);
}

Result<std::vector<Mount>> DriverBase::mounts(const std::string& key) {
  return mounts_for(TRY(meta_.get(key)));
}

Result<> DriverBase::commit(const std::string& name, const std::string& key) {
  TRY_CTX(meta_.db().transaction([&]() -> Result<> {
                   auto info = TRY(meta_.get(key));
                   if (info.kind != Kind::Active)
                     return make_error(ErrorCategory::InvalidArgument,
                                       "snapshot " + key + " is " +
                                           std::string(kind_name(info.kind)) + ", not active");
                   TRY(meta_.mark_committed(info.id, name));
                   return freeze(info);
                 }),
                 "commit " + key + " as " + name);
  return ok();
}

Result<> DriverBase::remove(const std::string& key) {
  auto destroy_tree = TRY(remove_deferred(key));
  return destroy_tree();
}

Result<std::function<Result<>()>> DriverBase::remove_deferred(const std::string& key) {
  std::string trash;
  TRY_CTX(meta_.db().transaction([&]() -> Result<> {
            auto info = TRY(meta_.get(key));
            if (TRY(meta_.child_count(info.id)) > 0)
              return make_error(ErrorCategory::Conflict, "snapshot " + key + " has children");
            TRY(meta_.erase(info.id));
            // Move the tree aside inside the transaction; the slow delete
            // runs after COMMIT, and a crash before it leaves an orphan
            // that cleanup_orphans() removes.
            std::string id = std::to_string(info.id);
            trash = "rm-" + id;
            if (::renameat(dir_fd_.get(), id.c_str(), dir_fd_.get(), trash.c_str()) < 0 &&
                errno != ENOENT)
              return sys_error("move snapshot " + id + " aside");
            return ok();
          }),
          "remove snapshot " + key);
  return std::function<Result<>()>([this, trash] { return destroy(trash); });
}

Result<Info> DriverBase::stat(const std::string& key) { return meta_.get(key); }

Result<Usage> DriverBase::usage(const std::string& key) {
  auto info = TRY(meta_.get(key));
  return tree_usage(tree(info.id));
}

Result<> DriverBase::walk(const std::function<Result<>(const Info&)>& fn) {
  for (const auto& info : TRY(meta_.all())) TRY(fn(info));
  return ok();
}

Result<std::string> DriverBase::apply_dir(const std::string& key) {
  auto info = TRY(meta_.get(key));
  if (info.kind != Kind::Active)
    return make_error(ErrorCategory::InvalidArgument, "snapshot " + key + " is not active");
  return tree(info.id);
}

Result<std::vector<std::string>> DriverBase::parent_trees(const Info& info) {
  std::vector<std::string> out;
  for (auto id : TRY(meta_.parent_ids(info))) out.push_back(tree(id));
  return out;
}

Result<DiffSource> DriverBase::diff_source(const std::string& key) {
  auto info = TRY(meta_.get(key));
  DiffSource src;
  src.style = whiteout_style();
  src.upper = tree(info.id);
  auto parents = TRY(parent_trees(info));
  if (src.style == WhiteoutStyle::Overlay) src.lowers = parents;
  else if (!parents.empty()) src.base = parents.front();
  return src;
}

}  // namespace berth::snapshot
