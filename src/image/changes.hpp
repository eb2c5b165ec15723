// What changed in an active snapshot relative to its parent: the A/C/D
// list `docker diff` prints, and the input for writing a layer tar.
//
// Overlay snapshots are read from the upper dir (whiteout devices are
// deletions, opaque dirs replace their lower contents); full-tree
// snapshots (btrfs, copy) are compared with the parent's tree by type,
// mode, owner, size, mtime, link target and device number.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

enum class ChangeKind { Modified = 0, Added = 1, Deleted = 2 };  // Docker's numbering

struct Change {
  std::string path;  // "/etc/passwd"
  ChangeKind kind;
  bool opaque = false;  // overlay: a directory whose lower contents are hidden
};

// Sorted by path, parents before children.
Result<std::vector<Change>> compute_changes(const snapshot::DiffSource& source);

char change_letter(ChangeKind kind);

}  // namespace berth::image
