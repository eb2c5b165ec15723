// The "cgroup" mount of a container. On a unified (v2) host it is a
// cgroup2 mount; on a v1 or hybrid host a tmpfs with one mount per
// hierarchy, laid out like the host's /sys/fs/cgroup (symlinks such as
// cpu -> cpu,cpuacct included). With a cgroup namespace each hierarchy is
// mounted fresh (the namespace makes the container's group its root);
// without one, the container's own group directory is bound in.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <map>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/rootfs.hpp"
#include "sys/mount_api.hpp"
#include "sys/openat2.hpp"

namespace berth::runtime {
namespace {

constexpr const char* kHostCgroupRoot = "/sys/fs/cgroup";

// "cpu,cpuacct" -> "/berth/abc" from /proc/self/cgroup; v2 under "".
Result<std::map<std::string, std::string>> own_cgroups() {
  auto text = TRY(read_file("/proc/self/cgroup"));
  std::map<std::string, std::string> out;
  for (const auto& line : split(text, '\n')) {
    auto parts = split(line, ':');
    if (parts.size() < 3) continue;
    std::string path = line.substr(parts[0].size() + parts[1].size() + 2);
    std::string controllers = parts[1];
    if (controllers.starts_with("name=")) controllers = controllers.substr(5);
    out[controllers] = path;
  }
  return out;
}

struct Hierarchy {
  std::string name;  // directory under /sys/fs/cgroup
  bool v2 = false;
};

Result<std::vector<std::pair<std::string, std::string>>> host_links(std::vector<Hierarchy>& dirs) {
  std::vector<std::pair<std::string, std::string>> links;
  DIR* d = ::opendir(kHostCgroupRoot);
  if (d == nullptr) return sys_error("open /sys/fs/cgroup");
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = std::string(kHostCgroupRoot) + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char buf[256];
      ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
      if (n > 0) links.emplace_back(name, std::string(buf, static_cast<size_t>(n)));
      continue;
    }
    struct statfs fs;
    if (!S_ISDIR(st.st_mode) || ::statfs(path.c_str(), &fs) != 0) continue;
    if (fs.f_type == CGROUP_SUPER_MAGIC) dirs.push_back({name, false});
    if (fs.f_type == CGROUP2_SUPER_MAGIC) dirs.push_back({name, true});
  }
  ::closedir(d);
  return links;
}

// The container's group in hierarchy `h`: the one the runtime made for it
// (an absolute path under the hierarchy's mount), else the group the init
// is in now (a hierarchy the runtime did not join it to).
std::string bind_source(const Hierarchy& h, const std::map<std::string, std::string>& own,
                        const std::map<std::string, std::string>* joined) {
  std::string mount = std::string(kHostCgroupRoot) + (h.name.empty() ? "" : "/" + h.name);
  if (joined != nullptr) {
    for (const auto& [controller, path] : *joined)
      if (path == mount || path.starts_with(mount + "/")) return path;
  }
  auto it = own.find(h.v2 ? "" : h.name);
  return mount + (it == own.end() ? "/" : it->second);
}

Result<> mount_hierarchy(int target_fd, const Hierarchy& h, unsigned long flags, bool fresh,
                         const std::map<std::string, std::string>& own,
                         const std::map<std::string, std::string>* joined) {
  if (fresh) {
    std::string opts = h.name == "systemd" ? "none,name=systemd" : h.name;
    if (h.v2) return sys::mount("cgroup2", sys::fd_path(target_fd), "cgroup2", flags);
    return sys::mount("cgroup", sys::fd_path(target_fd), "cgroup", flags, opts);
  }
  return bind_onto(bind_source(h, own, joined), target_fd, false, flags);
}

}  // namespace

Result<> mount_cgroups(int root_fd, const std::string& dest, unsigned long flags, bool new_cgroupns,
                       const std::map<std::string, std::string>* joined) {
  flags &= ~static_cast<unsigned long>(MS_BIND | MS_REC);
  auto target = TRY(ensure_in_root(root_fd, dest, true));
  struct statfs fs;
  if (::statfs(kHostCgroupRoot, &fs) != 0) return sys_error("statfs /sys/fs/cgroup");
  auto own = TRY(own_cgroups());
  if (fs.f_type == CGROUP2_SUPER_MAGIC) {
    TRY_CTX(mount_hierarchy(target.get(), {"", true}, flags, new_cgroupns, own, joined), "mount " + dest);
    return ok();
  }

  // v1 / hybrid: a tmpfs holding one mount point per hierarchy.
  unsigned long tmpfs_flags = flags & ~static_cast<unsigned long>(MS_RDONLY);
  TRY_CTX(sys::mount("tmpfs", sys::fd_path(target.get()), "tmpfs", tmpfs_flags, "mode=755"), "mount " + dest);
  auto top = TRY(sys::open_in_root(root_fd, dest, O_PATH | O_DIRECTORY));
  std::vector<Hierarchy> dirs;
  auto links = TRY(host_links(dirs));
  for (const auto& h : dirs) {
    if (::mkdirat(top.get(), h.name.c_str(), 0755) != 0 && errno != EEXIST) return sys_error("mkdir " + dest + "/" + h.name);
    auto sub = TRY(open_at(top.get(), h.name, O_PATH | O_DIRECTORY | O_NOFOLLOW));
    TRY_CTX(mount_hierarchy(sub.get(), h, flags, new_cgroupns, own, joined), "mount " + dest + "/" + h.name);
  }
  for (const auto& [name, to] : links)
    if (::symlinkat(to.c_str(), top.get(), name.c_str()) != 0 && errno != EEXIST)
      return sys_error("symlink " + dest + "/" + name);
  if (flags & MS_RDONLY) TRY_CTX(sys::set_mount_attrs(top.get(), "", false, MOUNT_ATTR_RDONLY, 0), "read-only " + dest);
  return ok();
}

}  // namespace berth::runtime
