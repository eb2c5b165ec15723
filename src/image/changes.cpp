#include "image/changes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "base/file.hpp"
#include "sys/dir.hpp"
#include "sys/openat2.hpp"

namespace berth::image {

namespace {

// Sorted, so both trees are walked in the same order.
Result<std::vector<std::string>> names(int dirfd) {
  auto out = TRY(sys::list_dir(dirfd));
  std::sort(out.begin(), out.end());
  return out;
}

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

std::string link_target(int dirfd, const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

struct OverlayWalk {
  std::vector<UniqueFd> lowers;
  std::vector<Change> out;

  // Does `rel` exist in the lower stack (the nearest lower wins; a
  // whiteout there means it does not)?
  bool in_lowers(const std::string& rel) {
    for (const auto& l : lowers) {
      auto fd = sys::open_in_root(l.get(), rel, O_PATH | O_NOFOLLOW);
      if (!fd) continue;
      struct stat st{};
      if (::fstat(fd->get(), &st) == 0) return !is_whiteout(st);
    }
    return false;
  }

  Result<> walk(int dirfd, const std::string& prefix) {
    for (const auto& n : TRY(names(dirfd))) {
      std::string rel = prefix + "/" + n;
      struct stat st{};
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return sys_error("stat " + rel);
      if (is_whiteout(st)) {
        out.push_back({rel, ChangeKind::Deleted});
        continue;
      }
      bool opaque = false;
      if (S_ISDIR(st.st_mode)) {
        auto sub = TRY(open_at(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        char v[2] = {};
        opaque = ::fgetxattr(sub.get(), "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y';
        out.push_back({rel, in_lowers(rel) ? ChangeKind::Modified : ChangeKind::Added, opaque});
        TRY(walk(sub.get(), rel));
        continue;
      }
      out.push_back({rel, in_lowers(rel) ? ChangeKind::Modified : ChangeKind::Added});
    }
    return ok();
  }
};

struct TreeCompare {
  std::vector<Change> out;

  static bool same(const struct stat& a, const struct stat& b) {
    if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || a.st_mode != b.st_mode ||
        a.st_uid != b.st_uid || a.st_gid != b.st_gid || a.st_rdev != b.st_rdev)
      return false;
    if (!S_ISDIR(a.st_mode) && a.st_size != b.st_size) return false;
    return a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
  }

  void added(int dirfd, const std::string& name, const std::string& rel, bool is_dir,
             ChangeKind kind = ChangeKind::Added) {
    out.push_back({rel, kind});
    if (!is_dir) return;
    auto sub = open_at(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!sub) return;
    auto children = names(sub->get());
    if (!children) return;
    for (const auto& c : *children) {
      struct stat st{};
      if (::fstatat(sub->get(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        added(sub->get(), c, rel + "/" + c, S_ISDIR(st.st_mode));
    }
  }

  Result<> walk(int base, int target, const std::string& prefix) {
    auto now = TRY(names(target));
    auto before = base >= 0 ? TRY(names(base)) : std::vector<std::string>{};
    for (const auto& n : now) {
      std::string rel = prefix + "/" + n;
      struct stat st{}, old{};
      if (::fstatat(target, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return sys_error("stat " + rel);
      bool existed = base >= 0 && ::fstatat(base, n.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
      if (!existed || (old.st_mode & S_IFMT) != (st.st_mode & S_IFMT)) {
        // A new entry, or one whose type changed (its old children go with it).
        added(target, n, rel, S_ISDIR(st.st_mode), existed ? ChangeKind::Modified : ChangeKind::Added);
        continue;
      }
      bool changed = !same(st, old) ||
                     (S_ISLNK(st.st_mode) && link_target(target, n) != link_target(base, n));
      if (changed) out.push_back({rel, ChangeKind::Modified});
      if (S_ISDIR(st.st_mode)) {
        auto t = TRY(open_at(target, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        auto b = TRY(open_at(base, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        TRY(walk(b.get(), t.get(), rel));
      }
    }
    for (const auto& n : before)
      if (!std::binary_search(now.begin(), now.end(), n)) out.push_back({prefix + "/" + n, ChangeKind::Deleted});
    return ok();
  }
};

}  // namespace

char change_letter(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Added: return 'A';
    case ChangeKind::Deleted: return 'D';
    case ChangeKind::Modified: return 'C';
  }
  return '?';
}

Result<std::vector<Change>> compute_changes(const snapshot::DiffSource& source) {
  auto upper = TRY(open_file(source.upper, O_RDONLY | O_DIRECTORY));
  std::vector<Change> out;
  if (source.style == snapshot::WhiteoutStyle::Overlay) {
    OverlayWalk w;
    for (const auto& l : source.lowers) w.lowers.push_back(TRY(open_file(l, O_PATH | O_DIRECTORY)));
    TRY(w.walk(upper.get(), ""));
    out = std::move(w.out);
  } else {
    TreeCompare c;
    UniqueFd base;
    if (!source.base.empty()) base = TRY(open_file(source.base, O_RDONLY | O_DIRECTORY));
    TRY(c.walk(base ? base.get() : -1, upper.get(), ""));
    out = std::move(c.out);
  }
  // Path order with '/' sorting first keeps parents before children.
  std::stable_sort(out.begin(), out.end(), [](const Change& a, const Change& b) {
    return std::lexicographical_compare(a.path.begin(), a.path.end(), b.path.begin(), b.path.end(),
                                        [](char x, char y) {
                                          auto k = [](char c) { return c == '/' ? '\0' : c; };
                                          return k(x) < k(y);
                                        });
  });
  return out;
}

}  // namespace berth::image
