// libarchive, loaded when `cp` first needs it. Linking it would load
// libxml2 and ICU into every berth process: measured, that alone cost more
// start-up than the rest of berth (docs/PERFORMANCE.md), and only `cp`
// reads or writes tar. The declarations come from archive.h; the symbols
// are resolved with dlsym from the library's SONAME.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"

namespace berth::cli {

#define BERTH_ARCHIVE_FUNCTIONS(X)                                                                    \
  X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_hardlink) X(archive_entry_new)       \
  X(archive_entry_pathname) X(archive_entry_set_hardlink) X(archive_entry_set_pathname)               \
  X(archive_entry_size) X(archive_error_string) X(archive_read_data_block) X(archive_read_disk_descend) \
  X(archive_read_disk_new) X(archive_read_disk_open) X(archive_read_disk_set_standard_lookup)         \
  X(archive_read_disk_set_symlink_physical) X(archive_read_free) X(archive_read_new)                  \
  X(archive_read_next_header) X(archive_read_next_header2) X(archive_read_open_memory)                \
  X(archive_read_support_format_tar) X(archive_write_close) X(archive_write_data)                     \
  X(archive_write_data_block) X(archive_write_disk_new) X(archive_write_disk_set_options)             \
  X(archive_write_finish_entry) X(archive_write_free) X(archive_write_header) X(archive_write_new)     \
  X(archive_write_open) X(archive_write_set_format_pax_restricted)

struct ArchiveLib {
#define BERTH_ARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
  BERTH_ARCHIVE_FUNCTIONS(BERTH_ARCHIVE_MEMBER)
#undef BERTH_ARCHIVE_MEMBER
};

// Loads libarchive once; an error names the library when it is missing.
Result<const ArchiveLib*> load_archive_lib();
// The loaded table (load_archive_lib must have succeeded).
const ArchiveLib& archive_lib();

}  // namespace berth::cli
