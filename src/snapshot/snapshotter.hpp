// The Snapshotter interface, after containerd's: a snapshot is a tree of
// files identified by a key. prepare() makes a writable (active) snapshot
// on top of a committed parent and returns how to mount it; commit() turns
// an active snapshot into an immutable, named one that others can use as
// a parent; view() is a read-only active snapshot. Image layers become a
// chain of committed snapshots named by chain ID, containers get one
// active snapshot each.
//
// Implementations (overlay.cpp, btrfs.cpp, copy.cpp) share the metadata
// (store::Db) and differ in how a tree is materialised.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "store/db.hpp"

namespace berth::snapshot {

enum class Kind { View, Active, Committed };
std::string_view kind_name(Kind kind);

// How a layer's deletions must be written into an active snapshot:
// overlay keeps them as whiteouts (char 0/0 device, opaque xattr) in the
// upper directory; full-tree snapshotters delete for real.
enum class WhiteoutStyle { Overlay, Delete };

// A mount as data (type, source, options), containerd's shape. Apply
// with mount_all() (mount.hpp), which handles overlays deeper than a
// mount(2) option page.
struct Mount {
  std::string type;    // "overlay", "bind"
  std::string source;
  std::vector<std::string> options;
};

struct Info {
  std::string key;
  std::string parent;  // key of the committed parent, or empty
  Kind kind = Kind::Active;
  int64_t created = 0;  // unix seconds
  int64_t id = 0;       // the driver's directory id
};

struct Usage {
  int64_t size = 0;    // bytes allocated on disk
  int64_t inodes = 0;
};

// Where the changes of an active snapshot can be read from, for diffs.
struct DiffSource {
  WhiteoutStyle style = WhiteoutStyle::Delete;
  std::string upper;                // overlay: the upper dir; else the full tree
  std::vector<std::string> lowers;  // overlay: parent dirs, nearest first
  std::string base;                 // full-tree: the parent's tree (empty if none)
};

class Snapshotter {
 public:
  virtual ~Snapshotter() = default;

  virtual std::string_view name() const = 0;
  virtual WhiteoutStyle whiteout_style() const = 0;

  virtual Result<std::vector<Mount>> prepare(const std::string& key, const std::string& parent) = 0;
  virtual Result<std::vector<Mount>> view(const std::string& key, const std::string& parent) = 0;
  virtual Result<std::vector<Mount>> mounts(const std::string& key) = 0;
  virtual Result<> commit(const std::string& name, const std::string& key) = 0;
  // Refuses (Conflict) while other snapshots use `key` as their parent.
  virtual Result<> remove(const std::string& key) = 0;
  // remove() in two steps: the record goes at once (from then on the
  // parent may go too) and the returned step deletes the tree, for a
  // caller to run after it answered. If that never runs (a crash), the
  // next open deletes the tree.
  virtual Result<std::function<Result<>()>> remove_deferred(const std::string& key) = 0;
  virtual Result<Info> stat(const std::string& key) = 0;
  virtual Result<Usage> usage(const std::string& key) = 0;
  virtual Result<> walk(const std::function<Result<>(const Info&)>& fn) = 0;

  // The directory an active snapshot's writes land in without mounting
  // it (overlay: the upper dir; btrfs, copy: the whole tree). Layer apply
  // writes here with whiteout_style() deletions.
  virtual Result<std::string> apply_dir(const std::string& key) = 0;
  virtual Result<DiffSource> diff_source(const std::string& key) = 0;
};

// Each driver keeps its trees under <root>/<driver>/ and its metadata in
// `db` (table snapshots, column driver). Btrfs needs <root> on btrfs.
Result<std::unique_ptr<Snapshotter>> open_overlay(const std::string& root,
                                                  std::shared_ptr<store::Db> db);
Result<std::unique_ptr<Snapshotter>> open_btrfs(const std::string& root,
                                                std::shared_ptr<store::Db> db);
Result<std::unique_ptr<Snapshotter>> open_copy(const std::string& root,
                                               std::shared_ptr<store::Db> db);
// By name: "overlayfs", "btrfs", "copy".
Result<std::unique_ptr<Snapshotter>> open_snapshotter(std::string_view driver,
                                                      const std::string& root,
                                                      std::shared_ptr<store::Db> db);

}  // namespace berth::snapshot
