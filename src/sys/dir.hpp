// Listing a directory by fd, the one place berth calls opendir/readdir.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"

namespace berth::sys {

// The names in the directory `dirfd` (without "." and ".."), in readdir
// order. Reads through a fresh open of the directory, so `dirfd`'s offset
// is untouched and it may be an O_PATH fd.
Result<std::vector<std::string>> list_dir(int dirfd);

}  // namespace berth::sys
