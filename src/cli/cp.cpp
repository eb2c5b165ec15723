// cp: files between the host and a container through the archive
// endpoints. Tar is read and written with libarchive, loaded on first use
// (never by running tar); extraction refuses absolute paths, `..` and writes through links.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <memory>

#include "base/strings.hpp"
#include "cli/archive_lib.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/streams.hpp"

namespace berth::cli {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

const ArchiveLib& lib() { return archive_lib(); }

struct Spec {
  std::string container;  // empty = host path
  std::string path;
};

// "name:/path" names a container path; a path starting with / or . never does.
Spec parse_spec(const std::string& arg) {
  if (arg.empty() || arg[0] == '/' || arg[0] == '.') return {"", arg};
  auto colon = arg.find(':');
  if (colon == std::string::npos) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string base_name(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

Unexpected archive_failure(archive* a, const std::string& what) {
  return make_error(ErrorCategory::Internal, what + ": " + (lib().archive_error_string(a) ? lib().archive_error_string(a) : "?"));
}

// Replaces the first path component `from` with `to`.
std::string renamed(const std::string& name, const std::string& from, const std::string& to) {
  if (from == to || to.empty()) return name;
  if (name == from) return to;
  if (name.rfind(from + "/", 0) == 0) return to + name.substr(from.size());
  return name;
}

bool safe_name(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  for (const auto& part : split(name, '/'))
    if (part == "..") return false;
  return true;
}

Result<> extract(const std::string& tar, const std::string& into, const std::string& from, const std::string& to) {
  ArchivePtr in(lib().archive_read_new(), lib().archive_read_free);
  lib().archive_read_support_format_tar(in.get());
  if (lib().archive_read_open_memory(in.get(), tar.data(), tar.size()) != ARCHIVE_OK)
    return archive_failure(in.get(), "read archive");
  ArchivePtr out(lib().archive_write_disk_new(), lib().archive_write_free);
  lib().archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_entry* entry;
  int rc;
  while ((rc = lib().archive_read_next_header(in.get(), &entry)) == ARCHIVE_OK) {
    std::string name = renamed(lib().archive_entry_pathname(entry), from, to);
    // Entry names are joined to the destination below, so they must stay
    // relative and inside it (libarchive then refuses writes through links).
    if (!safe_name(name)) return make_error(ErrorCategory::PermissionDenied, "unsafe path in archive: " + name);
    lib().archive_entry_set_pathname(entry, (into + "/" + name).c_str());
    if (const char* hl = lib().archive_entry_hardlink(entry)) {
      if (!safe_name(renamed(hl, from, to)))
        return make_error(ErrorCategory::PermissionDenied, "unsafe link in archive: " + std::string(hl));
      lib().archive_entry_set_hardlink(entry, (into + "/" + renamed(hl, from, to)).c_str());
    }
    if (lib().archive_write_header(out.get(), entry) != ARCHIVE_OK) return archive_failure(out.get(), "extract " + name);
    const void* buf;
    size_t size;
    la_int64_t offset;
    while ((rc = lib().archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK)
      if (lib().archive_write_data_block(out.get(), buf, size, offset) != ARCHIVE_OK)
        return archive_failure(out.get(), "write " + name);
    if (rc != ARCHIVE_EOF) return archive_failure(in.get(), "read " + name);
    lib().archive_write_finish_entry(out.get());
  }
  if (rc != ARCHIVE_EOF) return archive_failure(in.get(), "read archive");
  return ok();
}

la_ssize_t append_to_string(archive*, void* data, const void* buf, size_t n) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// A tar of the host path `src`, its top entry named `top`.
Result<std::string> pack(const std::string& src, const std::string& top) {
  std::string tar;
  ArchivePtr out(lib().archive_write_new(), lib().archive_write_free);
  lib().archive_write_set_format_pax_restricted(out.get());
  if (lib().archive_write_open(out.get(), &tar, nullptr, append_to_string, nullptr) != ARCHIVE_OK)
    return archive_failure(out.get(), "create archive");
  ArchivePtr disk(lib().archive_read_disk_new(), lib().archive_read_free);
  lib().archive_read_disk_set_standard_lookup(disk.get());
  lib().archive_read_disk_set_symlink_physical(disk.get());
  if (lib().archive_read_disk_open(disk.get(), src.c_str()) != ARCHIVE_OK) return archive_failure(disk.get(), src);
  std::string base = src;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (;;) {
    archive_entry* entry = lib().archive_entry_new();
    int rc = lib().archive_read_next_header2(disk.get(), entry);
    if (rc == ARCHIVE_EOF) {
      lib().archive_entry_free(entry);
      break;
    }
    if (rc != ARCHIVE_OK) {
      lib().archive_entry_free(entry);
      return archive_failure(disk.get(), src);
    }
    lib().archive_read_disk_descend(disk.get());
    std::string path = lib().archive_entry_pathname(entry);
    std::string rel = path.size() > base.size() ? path.substr(base.size()) : "";
    lib().archive_entry_set_pathname(entry, (top + rel).c_str());
    if (lib().archive_write_header(out.get(), entry) != ARCHIVE_OK) {
      lib().archive_entry_free(entry);
      return archive_failure(out.get(), path);
    }
    if (lib().archive_entry_filetype(entry) == AE_IFREG && lib().archive_entry_size(entry) > 0) {
      const void* buf;
      size_t size;
      la_int64_t offset;
      while (lib().archive_read_data_block(disk.get(), &buf, &size, &offset) == ARCHIVE_OK)
        lib().archive_write_data(out.get(), buf, size);
    }
    lib().archive_entry_free(entry);
  }
  lib().archive_write_close(out.get());
  return tar;
}

// The container path's stat from the X-Docker-Container-Path-Stat header.
Result<bool> container_is_dir(Context& ctx, const std::string& container, const std::string& path, bool& exists) {
  auto res = TRY(ctx.call("HEAD", "/containers/" + container + "/archive?path=" + query_escape(path)));
  exists = res.status == 200;
  if (res.status == 404) return false;
  if (res.status >= 400) return daemon_error(res);
  boost::system::error_code ec;
  auto stat = boost::json::parse(base64_decode(res.header("X-Docker-Container-Path-Stat")), ec);
  if (ec) return false;
  // Go's os.ModeDir is bit 31.
  return (static_cast<uint64_t>(int_field(stat, "mode")) & (1ULL << 31)) != 0;
}

Result<int> copy_from(Context& ctx, const Spec& src, const std::string& dest) {
  std::string tar;
  TRY(ctx.stream("GET", "/containers/" + src.container + "/archive?path=" + query_escape(src.path),
                 [&](std::string_view piece) {
                   if (dest == "-") return write_all(1, piece).has_value();
                   tar.append(piece);
                   return true;
                 }));
  if (dest == "-") return 0;
  struct stat st {};
  std::string from = base_name(src.path);
  if (::stat(dest.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) TRY(extract(tar, dest, from, from));
  else TRY(extract(tar, dir_name(dest), from, base_name(dest)));
  return 0;
}

Result<int> copy_to(Context& ctx, const std::string& src, const Spec& dest) {
  bool exists = false;
  bool is_dir = TRY(container_is_dir(ctx, dest.container, dest.path, exists));
  std::string tar;
  std::string target_dir = dest.path;
  if (src == "-") {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(0, buf, sizeof buf)) > 0) tar.append(buf, static_cast<size_t>(n));
  } else if (is_dir) {
    tar = TRY(pack(src, base_name(src)));
  } else {
    target_dir = dir_name(dest.path);
    tar = TRY(pack(src, base_name(dest.path)));
  }
  size_t sent = 0;
  TRY(ctx.upload("PUT",
                 "/containers/" + dest.container + "/archive?noOverwriteDirNonDir=true&path=" +
                     query_escape(target_dir),
                 [&]() -> Result<std::string> {
                   size_t n = std::min<size_t>(1 << 20, tar.size() - sent);
                   std::string piece = tar.substr(sent, n);
                   sent += n;
                   return piece;
                 },
                 {{"Content-Type", "application/x-tar"}}));
  (void)exists;
  return 0;
}

Result<int> cp_cmd(Context& ctx, const Args& args) {
  TRY(load_archive_lib());
  Spec a = parse_spec(args.positional[0]), b = parse_spec(args.positional[1]);
  if (!a.container.empty() && b.container.empty()) return copy_from(ctx, a, b.path);
  if (a.container.empty() && !b.container.empty()) return copy_to(ctx, a.path, b);
  return make_error(ErrorCategory::InvalidArgument,
                    a.container.empty() ? "must specify at least one container source"
                                        : "copying between containers is not supported");
}

}  // namespace

std::vector<Command> cp_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"cp", {"container cp"}, "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                  "Copy files/folders between a container and the local filesystem",
                  {bool_flag('a', "archive", "Archive mode (copy all uid/gid information)"),
                   bool_flag('L', "follow-link", "Always follow symbol link in SRC_PATH"),
                   bool_flag('q', "quiet", "Suppress progress output during copy")},
                  2, 2, false, 1, cp_cmd});
  return cmds;
}

}  // namespace berth::cli
