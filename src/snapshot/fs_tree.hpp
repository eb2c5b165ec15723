// Whole-tree file operations done with directory fds and no-follow flags,
// so a symlink inside a snapshot is never followed out of it.
#pragma once

#include <string>

#include "base/error.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::snapshot {

// rm -rf of `name` inside `dirfd` (ENOENT is success).
Result<> remove_tree_at(int dirfd, const std::string& name);
Result<> remove_tree(const std::string& path);

// Copies the tree at `src` into the existing empty directory `dst`,
// preserving owners, modes, times, xattrs, hardlinks, symlinks and device
// nodes. File data is reflinked (FICLONE) where the filesystem allows,
// else copied with copy_file_range.
Result<> copy_tree(const std::string& src, const std::string& dst);

// Allocated bytes and inode count of a tree (hardlinks counted once).
Result<Usage> tree_usage(const std::string& path);

}  // namespace berth::snapshot
