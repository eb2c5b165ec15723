#include "image/layer_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <map>
#include <memory>

#include "base/file.hpp"
#include "sys/openat2.hpp"

namespace berth::image {

namespace {

struct Writer {
  const ByteSink* sink;
  Error error{ErrorCategory::Internal, ""};
  bool failed = false;
};

la_ssize_t write_cb(archive*, void* data, const void* buf, size_t n) {
  auto* w = static_cast<Writer*>(data);
  auto r = (*w->sink)(std::string_view(static_cast<const char*>(buf), n));
  if (!r) {
    w->error = r.error();
    w->failed = true;
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<archive_entry, EntryFree>;

Entry whiteout_entry(const std::string& path) {
  Entry e(archive_entry_new());
  archive_entry_set_pathname(e.get(), path.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), 0);
  return e;
}

void add_xattrs(int fd, archive_entry* e) {
  char names[65536];
  ssize_t len = ::flistxattr(fd, names, sizeof names);
  if (len <= 0) return;
  std::vector<char> value(65536);
  for (ssize_t off = 0; off < len; off += static_cast<ssize_t>(strlen(names + off)) + 1) {
    std::string_view n = names + off;
    if (n.rfind("trusted.overlay.", 0) == 0) continue;  // snapshotter bookkeeping
    ssize_t v = ::fgetxattr(fd, names + off, value.data(), value.size());
    if (v >= 0) archive_entry_xattr_add_entry(e, names + off, value.data(), static_cast<size_t>(v));
  }
}

class LayerTar {
 public:
  LayerTar(archive* a, int root) : a_(a), root_(root) {}

  Result<> header(archive_entry* e) {
    if (archive_write_header(a_, e) != ARCHIVE_OK) return fail("write header");
    return ok();
  }

  Result<> entry(const std::string& rel) {
    std::string name = rel.substr(1);
    auto dir_end = rel.rfind('/');
    auto parent = TRY(sys::open_in_root(root_, dir_end == 0 ? "." : rel.substr(0, dir_end),
                                        O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS));
    std::string base = rel.substr(dir_end + 1);
    struct stat st{};
    if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return sys_error("stat " + rel);
    Entry e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_atime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    archive_entry_unset_ctime(e.get());
    archive_entry_unset_birthtime(e.get());
    archive_entry_set_ino(e.get(), 0);
    archive_entry_set_dev(e.get(), 0);
    if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
      auto [it, fresh] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), name);
      if (!fresh) {
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        return header(e.get());
      }
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(parent.get(), base.c_str(), target, sizeof target - 1);
      if (n < 0) return sys_error("readlink " + rel);
      target[n] = 0;
      archive_entry_set_symlink(e.get(), target);
      return header(e.get());
    }
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
      // O_NONBLOCK: if a running container swapped the file for a FIFO
      // since the stat, the open must not hang; the re-check refuses it.
      int flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK;
      auto fd = TRY(open_at(parent.get(), base, flags | O_NOFOLLOW));
      struct stat again{};
      if (::fstat(fd.get(), &again) < 0 || again.st_ino != st.st_ino || again.st_dev != st.st_dev)
        return make_error(ErrorCategory::Conflict, rel + " changed while it was being read");
      add_xattrs(fd.get(), e.get());
      if (S_ISDIR(st.st_mode)) return header(e.get());
      TRY(header(e.get()));
      return data(fd.get(), rel);
    }
    return header(e.get());  // fifo, char or block device
  }

  Result<> data(int fd, const std::string& rel) {
    std::vector<char> buf(1 << 20);
    while (true) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return sys_error("read " + rel);
      }
      if (n == 0) return ok();
      if (archive_write_data(a_, buf.data(), static_cast<size_t>(n)) < 0) return fail("write " + rel);
    }
  }

  Unexpected fail(const std::string& what) {
    const char* s = archive_error_string(a_);
    return make_error(ErrorCategory::Internal, what + ": " + (s ? s : "libarchive error"));
  }

 private:
  archive* a_;
  int root_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

Result<> write_layer(const snapshot::DiffSource& source, const std::vector<Change>& changes,
                     const ByteSink& sink) {
  auto root = TRY(open_file(source.upper, O_RDONLY | O_DIRECTORY));
  Writer w{&sink};
  std::unique_ptr<archive, ArchiveFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &w, nullptr, write_cb, nullptr) != ARCHIVE_OK)
    return make_error(ErrorCategory::Internal, "open layer writer");
  LayerTar tar(a.get(), root.get());
  for (const auto& c : changes) {
    Result<> r;
    if (c.kind == ChangeKind::Deleted) {
      auto slash = c.path.rfind('/');
      auto e = whiteout_entry(c.path.substr(1, slash) + ".wh." + c.path.substr(slash + 1));
      r = tar.header(e.get());
    } else {
      r = tar.entry(c.path);
      if (r && c.opaque) {
        auto e = whiteout_entry(c.path.substr(1) + "/.wh..wh..opq");
        r = tar.header(e.get());
      }
    }
    if (w.failed) return tl::unexpected(w.error);
    if (!r) return tl::unexpected(std::move(r.error()).wrap("layer entry " + c.path));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (w.failed) return tl::unexpected(w.error);
    return make_error(ErrorCategory::Internal, "finish layer tar");
  }
  return ok();
}

}  // namespace berth::image
