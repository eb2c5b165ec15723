// The file-tree side of bootstrap: running a helper program, laying out a
// busybox tree, cleaning a debootstrap tree. Every path inside the tree is
// opened with open_in_root (RESOLVE_IN_ROOT) relative to the tree's fd.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "image/bootstrap.hpp"
#include "sys/dir.hpp"
#include "sys/openat2.hpp"

extern char** environ;

namespace berth::image::detail {

namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "bin:x:2:2:bin:/bin:/bin/false\n"
    "sys:x:3:3:sys:/dev:/bin/false\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "bin:x:2:\n"
    "sys:x:3:\n"
    "tty:x:5:\n"
    "nogroup:x:65534:\n";

Unexpected sys_err(const std::string& what) {
  return make_error(category_for_errno(errno), what + ": " + std::strerror(errno));
}

Result<UniqueFd> open_dir_in(int root, const std::string& path) {
  return sys::open_in_root(root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

Result<> make_dir(int root, const std::string& path, mode_t mode) {
  auto slash = path.rfind('/');
  std::string parent = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dir = TRY(open_dir_in(root, parent));
  if (::mkdirat(dir.get(), name.c_str(), mode) < 0 && errno != EEXIST) return sys_err("mkdir " + path);
  auto fd = TRY(open_dir_in(root, path));
  if (::fchmod(fd.get(), mode) < 0) return sys_err("chmod " + path);  // past the umask
  return ok();
}

Result<> write_tree_file(int root, const std::string& path, std::string_view data, mode_t mode) {
  auto fd = TRY(sys::open_in_root(root, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode));
  TRY(write_all(fd.get(), data));
  if (::fchmod(fd.get(), mode) < 0) return sys_err("chmod " + path);
  return ok();
}

Result<> copy_into(int root, const std::string& from, const std::string& path, mode_t mode) {
  auto src = TRY(open_file(from, O_RDONLY));
  auto dst = TRY(sys::open_in_root(root, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode));
  while (true) {
    ssize_t n = ::copy_file_range(src.get(), nullptr, dst.get(), nullptr, 1 << 30, 0);
    if (n < 0) return sys_err("copy " + from);
    if (n == 0) break;
  }
  if (::fchmod(dst.get(), mode) < 0) return sys_err("chmod " + path);
  return ok();
}

// Removes the entries of `dir` (a path in the tree) that `match` picks;
// a missing directory is fine (nothing to clean).
Result<> remove_entries(int root, const std::string& dir,
                        const std::function<bool(const std::string&, const struct stat&)>& match) {
  auto fd = sys::open_in_root(root, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!fd) return fd.error().is(ErrorCategory::NotFound) ? ok() : tl::unexpected(fd.error());
  for (const auto& name : TRY(sys::list_dir(fd->get()))) {
    struct stat st {};
    if (::fstatat(fd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return sys_err("stat " + dir + "/" + name);
    if (!match(name, st)) continue;
    if (::unlinkat(fd->get(), name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
      return sys_err("remove " + dir + "/" + name);
  }
  return ok();
}

}  // namespace

Result<ExitStatus> run_program(const std::vector<std::string>& argv, const BootstrapLog& line) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return sys_err("pipe");
  UniqueFd rd(pipefd[0]), wr(pipefd[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, wr.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, wr.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return make_error(category_for_errno(rc), "run " + argv[0] + ": " + std::strerror(rc));
  auto child = TRY(OwnedPid::adopt(pid));
  wr.reset();
  std::string pending;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
      if (line) line(pending.substr(0, nl));
  }
  if (!pending.empty() && line) line(pending);
  return child.wait();
}

Result<> build_busybox_tree(int root, const std::string& busybox, const BootstrapLog& log) {
  for (const char* d : {"bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "var",
                        "var/spool", "var/spool/mail", "var/www"})
    TRY(make_dir(root, d, 0755));
  TRY(make_dir(root, "root", 0700));
  TRY(make_dir(root, "tmp", 01777));
  TRY_CTX(copy_into(root, busybox, "bin/busybox", 0755), "copy " + busybox);
  // The applet list comes from the binary itself: it is what it can run.
  std::vector<std::string> applets;
  auto status = TRY(run_program({busybox, "--list"}, [&](const std::string& l) { applets.push_back(l); }));
  if (!status.exited_ok() || applets.empty())
    return make_error(ErrorCategory::InvalidArgument, busybox + " --list failed; is it busybox?");
  auto bin = TRY(open_dir_in(root, "bin"));
  size_t linked = 0;
  for (const auto& a : applets) {
    if (a.empty() || a == "busybox" || a.find('/') != std::string::npos || a == "." || a == "..") continue;
    if (::linkat(bin.get(), "busybox", bin.get(), a.c_str(), 0) < 0) return sys_err("link bin/" + a);
    ++linked;
  }
  TRY(write_tree_file(root, "etc/passwd", kPasswd, 0644));
  TRY(write_tree_file(root, "etc/group", kGroup, 0644));
  if (log) log("busybox: " + std::to_string(linked) + " applets linked in /bin");
  return ok();
}

Result<> clean_debian_tree(int root) {
  auto any = [](const std::string&, const struct stat&) { return true; };
  auto files = [](const std::string&, const struct stat& st) { return !S_ISDIR(st.st_mode); };
  TRY(remove_entries(root, "var/cache/apt/archives", [](const std::string& n, const struct stat& st) {
    return S_ISREG(st.st_mode) && n.ends_with(".deb");
  }));
  TRY(remove_entries(root, "var/cache/apt/archives/partial", any));
  TRY(remove_entries(root, "var/cache/apt", [](const std::string& n, const struct stat& st) {
    return S_ISREG(st.st_mode) && n.ends_with(".bin");
  }));
  TRY(remove_entries(root, "var/lib/apt/lists", files));
  TRY(remove_entries(root, "var/lib/apt/lists/partial", any));
  TRY(remove_entries(root, "var/log", [](const std::string& n, const struct stat& st) {
    return S_ISREG(st.st_mode) && (n == "bootstrap.log" || n == "dpkg.log" || n == "alternatives.log");
  }));
  // A runtime populates /dev; an image carries no device nodes.
  auto device = [](const std::string&, const struct stat& st) { return S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode); };
  TRY(remove_entries(root, "dev", device));
  auto dev = TRY(open_dir_in(root, "dev"));
  for (const auto& name : TRY(sys::list_dir(dev.get()))) {
    struct stat st {};
    if (::fstatat(dev.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      TRY(remove_entries(root, "dev/" + name, device));
  }
  return ok();
}

}  // namespace berth::image::detail
