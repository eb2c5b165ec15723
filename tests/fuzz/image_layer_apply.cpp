// Fuzzes layer apply: arbitrary bytes as a (possibly compressed) layer
// tar, applied with both whiteout styles into a scratch root inside a
// scratch directory. Besides memory errors, anything written beside the
// root (outside it) is a finding.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/file.hpp"
#include "image/apply.hpp"
#include "snapshot/fs_tree.hpp"

using namespace berth;

namespace {

// A plain array, not a std::string: the atexit cleanup must not run after
// a static destructor.
char g_scratch[] = "/tmp/berth-fuzz-apply-XXXXXX";

std::string scratch() {
  static bool made = [] {
    if (!::mkdtemp(g_scratch)) std::abort();
    std::atexit([] { (void)snapshot::remove_tree(g_scratch); });
    return true;
  }();
  (void)made;
  return g_scratch;
}

int entries(const std::string& dir) {
  int n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string root = scratch() + "/root";
  for (auto style : {snapshot::WhiteoutStyle::Delete, snapshot::WhiteoutStyle::Overlay}) {
    (void)snapshot::remove_tree(root);
    if (::mkdir(root.c_str(), 0755) < 0) return 0;
    int fd = ::memfd_create("layer", MFD_CLOEXEC);
    if (fd < 0) return 0;
    UniqueFd layer(fd);
    if (!write_all(fd, std::string_view(reinterpret_cast<const char*>(data), size))) return 0;
    ::lseek(fd, 0, SEEK_SET);
    auto rootfd = open_file(root, O_RDONLY | O_DIRECTORY);
    if (!rootfd) return 0;
    image::ApplyOptions opt;
    opt.whiteouts = style;
    opt.limits.max_bytes = 8 << 20;
    opt.limits.max_entries = 2000;
    opt.limits.max_file_size = 4 << 20;
    (void)image::apply_layer(rootfd->get(), fd, opt);
    if (entries(scratch()) != 1) __builtin_trap();  // something escaped the root
  }
  return 0;
}
