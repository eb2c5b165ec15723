// LocalVolumeService's hooks for the container service: mounts resolved at
// create, prepared and turned into OCI mounts at start, released at rm.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "engine/volume_service.hpp"
#include "snapshot/fs_tree.hpp"
#include "sys/dir.hpp"
#include "sys/openat2.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

constexpr const char* kMountsFile = "mounts.json";

// Keys of Config.Volumes ({"/data": {}}) in the stored Config.
std::vector<std::string> config_volumes(const std::string& config) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(config, ec);
  if (ec || !v.is_object()) return out;
  if (auto* vol = v.as_object().if_contains("Volumes"); vol && vol->is_object())
    for (const auto& [k, x] : vol->as_object()) out.emplace_back(k);
  return out;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

oci::Mount to_oci(const MountPoint& m) {
  if (m.type == "tmpfs") {
    auto opts = m.tmpfs_options;
    if (!m.rw) opts.push_back("ro");
    return {m.destination, "tmpfs", "tmpfs", opts, {}, {}};
  }
  std::vector<std::string> opts = {m.non_recursive ? "bind" : "rbind"};
  opts.push_back(m.propagation.empty() ? "rprivate" : m.propagation);
  if (!m.rw) opts.push_back("ro");
  return {m.destination, "bind", m.source, opts, {}, {}};
}

bool dir_empty(const std::string& path) {
  auto fd = open_file(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (!fd) return false;
  auto entries = sys::list_dir(fd->get());
  return entries && entries->empty();
}

// dockerd's copy-up: a new (empty) volume mounted over a directory of the
// image starts with that directory's content, owner and mode.
Result<> copy_up(const std::string& rootfs, const MountPoint& m) {
  if (!m.copy_data || !dir_empty(m.source)) return ok();
  auto root = TRY(open_file(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto src = sys::open_in_root(root.get(), m.destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!src) return ok();  // nothing there (or not a directory): nothing to copy
  struct stat st;
  if (::fstat(src->get(), &st) != 0) return sys_error("stat " + m.destination);
  std::string from = "/proc/self/fd/" + std::to_string(src->get());
  TRY_CTX(snapshot::copy_tree(from, m.source), "copy image content to volume " + m.name);
  if (::chown(m.source.c_str(), st.st_uid, st.st_gid) != 0) return sys_error("chown " + m.source);
  if (::chmod(m.source.c_str(), st.st_mode & 07777) != 0) return sys_error("chmod " + m.source);
  return ok();
}

}  // namespace

Result<> LocalVolumeService::created(const Container& c, const std::vector<std::string>& image_volumes) {
  auto wanted = config_volumes(c.config);
  for (const auto& v : image_volumes)
    if (std::find(wanted.begin(), wanted.end(), v) == wanted.end()) wanted.push_back(v);
  auto mounts = TRY(engine::container_mounts(c.host_config, wanted, path_exists));
  std::lock_guard lock(mu_);
  std::vector<std::string> made;
  auto undo = ScopeGuard([&] {
    if (auto st = db_->prepare("DELETE FROM volume_refs WHERE container = ?")) {
      st->bind_all(c.id);
      (void)st->run();
    }
    for (const auto& name : made) (void)remove_locked(name, false);
  });
  for (auto& m : mounts) {
    if (m.type != "volume") continue;
    bool existed = !m.name.empty() && inspect(m.name).has_value();
    VolumeCreate r{m.name, m.driver, std::nullopt, std::nullopt};
    if (!m.volume_labels.empty()) r.labels = m.volume_labels;
    if (!m.volume_options.empty()) r.options = m.volume_options;
    auto v = TRY(create_locked(r, m.anonymous));
    if (!existed) made.push_back(v.name);
    m.name = v.name;
    m.source = v.mountpoint;
    auto st = TRY(db_->prepare("INSERT OR IGNORE INTO volume_refs (volume, container) VALUES (?, ?)"));
    st.bind_all(v.name, c.id);
    TRY(st.run());
  }
  // No file means no mounts (container_mounts); most containers have
  // none, and skipping the write saves create an fsync.
  if (!mounts.empty()) TRY(write_file_atomic(c.dir + "/" + kMountsFile, mounts_to_json(mounts), 0600));
  undo.dismiss();
  return ok();
}

std::vector<MountPoint> LocalVolumeService::container_mounts(const Container& c) {
  auto text = read_file(c.dir + "/" + kMountsFile, 16u << 20);
  if (!text) return {};
  auto mounts = mounts_from_json(*text);
  return mounts ? std::move(*mounts) : std::vector<MountPoint>{};
}

Result<> LocalVolumeService::prepare(const Container& c, const std::string& rootfs, oci::Spec& spec) {
  auto mounts = container_mounts(c);
  if (mounts.empty()) return ok();
  for (const auto& m : mounts) {
    // dockerd creates a missing -v host path as a directory at start.
    if (m.type == "bind" && m.create_source && !path_exists(m.source)) TRY(make_dirs(m.source, 0755));
    if (m.type == "volume") TRY(copy_up(rootfs, m));
  }
  // A user mount replaces Docker's default one at the same place (/dev/shm).
  std::erase_if(spec.mounts, [&](const oci::Mount& d) {
    return std::any_of(mounts.begin(), mounts.end(), [&](const MountPoint& m) { return m.destination == d.destination; });
  });
  for (const auto& m : mounts) {
    spec.mounts.push_back(to_oci(m));
    if (m.type == "volume")
      publish("mount", m.name, {{"container", c.id}, {"destination", m.destination},
                                {"propagation", m.propagation}, {"read/write", m.rw ? "true" : "false"}});
  }
  // Parents before children, as dockerd sorts them: /etc/hosts must land
  // on a volume mounted at /etc, not under it.
  std::stable_sort(spec.mounts.begin(), spec.mounts.end(), [](const oci::Mount& a, const oci::Mount& b) {
    return depth(clean_path(a.destination)) < depth(clean_path(b.destination));
  });
  return ok();
}

void LocalVolumeService::removed(const Container& c, bool anonymous) {
  std::lock_guard lock(mu_);
  std::vector<std::string> anon;
  if (auto st = db_->prepare(
          "SELECT r.volume FROM volume_refs r JOIN volumes v ON v.name = r.volume"
          " WHERE r.container = ? AND v.anonymous = 1")) {
    st->bind_all(c.id);
    while (st->step().value_or(false)) anon.push_back(st->text(0));
  }
  auto st = db_->prepare("DELETE FROM volume_refs WHERE container = ?");
  if (st) {
    st->bind_all(c.id);
    if (auto r = st->run(); !r) log::warn("release volumes", {{"id", c.id}, {"error", r.error()}});
  }
  if (!anonymous) return;
  // Still used by another container (--volumes-from): kept, as dockerd does.
  for (const auto& name : anon)
    if (auto r = remove_locked(name, false); !r && r.error().category() != ErrorCategory::Conflict)
      log::warn("remove anonymous volume", {{"volume", name}, {"error", r.error()}});
}

}  // namespace berth::engine
