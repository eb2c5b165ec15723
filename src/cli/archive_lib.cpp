#include "cli/archive_lib.hpp"

#include <dlfcn.h>

namespace berth::cli {
namespace {

ArchiveLib g_lib;
bool g_loaded = false;

}  // namespace

Result<const ArchiveLib*> load_archive_lib() {
  if (g_loaded) return &g_lib;
  // Never closed: the table points into it for the rest of the process.
  void* handle = ::dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (!handle) return make_error(ErrorCategory::Unavailable, std::string("cp needs libarchive: ") + ::dlerror());
#define BERTH_ARCHIVE_RESOLVE(name)                                                                 \
  g_lib.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                         \
  if (!g_lib.name) return make_error(ErrorCategory::Unavailable, "libarchive lacks " #name);
  BERTH_ARCHIVE_FUNCTIONS(BERTH_ARCHIVE_RESOLVE)
#undef BERTH_ARCHIVE_RESOLVE
  g_loaded = true;
  return &g_lib;
}

const ArchiveLib& archive_lib() { return g_lib; }

}  // namespace berth::cli
