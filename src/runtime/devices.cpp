// /dev inside the container: the default device nodes every OCI runtime
// provides, the config's devices, and the /dev/fd, /dev/std* and
// /dev/ptmx links. In a user namespace mknod is not allowed, so the
// host's nodes are bound in instead (as runc does).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/file.hpp"
#include "runtime/rootfs.hpp"
#include "sys/openat2.hpp"

namespace berth::runtime {
namespace {

std::vector<oci::Device> default_devices() {
  auto dev = [](const char* path, int64_t major, int64_t minor) {
    return oci::Device{"c", path, major, minor, 0666, 0u, 0u};
  };
  return {dev("/dev/null", 1, 3), dev("/dev/zero", 1, 5),    dev("/dev/full", 1, 7),
          dev("/dev/tty", 5, 0),  dev("/dev/urandom", 1, 9), dev("/dev/random", 1, 8)};
}

mode_t node_type(const std::string& type) {
  if (type == "b") return S_IFBLK;
  if (type == "p") return S_IFIFO;
  return S_IFCHR;  // "c" and "u"
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"/", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Result<> create_device(int root_fd, const oci::Device& d, bool in_userns) {
  auto [parent_path, name] = split_parent(d.path);
  if (in_userns) {
    // A symlink the image left there would be followed (inside the root,
    // but onto, say, a /proc file): replace it like mknod does.
    TRY(ensure_in_root(root_fd, parent_path, true));
    auto dir = TRY(sys::open_in_root(root_fd, parent_path, O_DIRECTORY | O_RDONLY));
    ::unlinkat(dir.get(), name.c_str(), 0);
    auto target = TRY(ensure_in_root(root_fd, d.path, false));
    TRY_CTX(bind_onto(d.path, target.get(), false, 0), "bind device " + d.path);
    return ok();
  }
  TRY(ensure_in_root(root_fd, parent_path, true));
  auto dir = TRY(sys::open_in_root(root_fd, parent_path, O_DIRECTORY | O_RDONLY));
  mode_t mode = (d.file_mode ? *d.file_mode : 0666) & 07777;
  ::unlinkat(dir.get(), name.c_str(), 0);  // replace whatever the image had
  dev_t devno = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  if (::mknodat(dir.get(), name.c_str(), mode | node_type(d.type), devno) != 0)
    return sys_error("mknod " + d.path);
  // mknod honours the umask; the config's mode is exact.
  if (::fchmodat(dir.get(), name.c_str(), mode, 0) != 0) return sys_error("chmod " + d.path);
  if (::fchownat(dir.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0), AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("chown " + d.path);
  return ok();
}

Result<> create_links(int root_fd) {
  auto dev = TRY(sys::open_in_root(root_fd, "/dev", O_DIRECTORY | O_RDONLY));
  const std::pair<const char*, const char*> links[] = {
      {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
      {"stderr", "/proc/self/fd/2"}};
  for (const auto& [name, to] : links)
    if (::symlinkat(to, dev.get(), name) != 0 && errno != EEXIST) return sys_error(std::string("symlink /dev/") + name);
  if (::access("/proc/kcore", F_OK) == 0)
    if (::symlinkat("/proc/kcore", dev.get(), "core") != 0 && errno != EEXIST) return sys_error("symlink /dev/core");
  // /dev/ptmx must be the container's devpts instance, not a host node.
  struct stat st;
  if (::fstatat(dev.get(), "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
    ::unlinkat(dev.get(), "ptmx", 0);
    if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) return sys_error("symlink /dev/ptmx");
  }
  return ok();
}

}  // namespace

Result<> create_devices(int root_fd, const oci::Spec& spec, bool in_userns) {
  std::vector<oci::Device> devices = default_devices();
  if (spec.linux)
    for (const auto& d : spec.linux->devices) {
      std::erase_if(devices, [&](const oci::Device& x) { return x.path == d.path; });
      devices.push_back(d);
    }
  for (const auto& d : devices) TRY(create_device(root_fd, d, in_userns));
  return create_links(root_fd);
}

}  // namespace berth::runtime
