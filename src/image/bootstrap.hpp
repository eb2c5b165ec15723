// Base images made on this machine, for hosts without registry access
// (Kawakaze's bootstrap): `busybox` from the host's busybox-static binary
// and Debian via debootstrap --variant=minbase from an apt mirror. The
// tree is built in a fresh active snapshot, committed as a one-layer
// image (the same path as `docker commit`) and tagged.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/owned_pid.hpp"
#include "image/context.hpp"
#include "snapshot/snapshotter.hpp"

namespace berth::image {

struct BootstrapOptions {
  std::string kind;                      // "busybox" or "debian"
  std::string reference;                 // tag to give it; default kind:latest / debian:<suite>
  std::string busybox = "/bin/busybox";  // a static busybox
  std::string suite = "bookworm";
  std::string mirror = "http://deb.debian.org/debian";
  std::string debootstrap = "/usr/sbin/debootstrap";
};

// Progress: one human-readable line at a time (debootstrap's output too).
using BootstrapLog = std::function<void(const std::string& line)>;

Result<ImageRecord> bootstrap_image(Context& ctx, snapshot::Snapshotter& snapshots,
                                    const BootstrapOptions& options, const BootstrapLog& log);

// The image kinds bootstrap knows, for help texts and argument checks.
const std::vector<std::string>& bootstrap_kinds();

namespace detail {

// Runs argv (no shell, stdin /dev/null), passing each output line
// (stdout and stderr) to `line`; returns how it ended.
Result<ExitStatus> run_program(const std::vector<std::string>& argv, const BootstrapLog& line);

// Busybox rootfs in the directory `root`: bin/busybox, every applet as a
// hard link in bin/, the usual directories, etc/passwd and etc/group.
Result<> build_busybox_tree(int root, const std::string& busybox, const BootstrapLog& log);

// Empties what debootstrap leaves that a published image has not:
// downloaded packages, apt lists and caches, device nodes in /dev.
Result<> clean_debian_tree(int root);

}  // namespace detail
}  // namespace berth::image
