// Fixture cgroup trees in a temp dir: the mount layout of a v1, hybrid or
// v2 host, a matching mountinfo and /proc/self/cgroup, and group
// directories pre-filled with the files the kernel would create. Writes
// are recorded in order (the golden files compare that log).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace berth::cgroups::testing {

class FixtureTree {
 public:
  FixtureTree();
  ~FixtureTree();
  const std::string& root() const { return root_; }        // the fake /sys/fs/cgroup
  const std::string& proc_self() const { return proc_; }   // the fake /proc/self

  // Creates `rel` (relative to root) with the given files.
  void add_group(const std::string& rel, const std::map<std::string, std::string>& files);
  void write(const std::string& rel, const std::string& content);
  std::string read(const std::string& rel) const;
  bool exists(const std::string& rel) const;

  // This machine's layout: v1 controllers + v2 at unified; the caller's
  // own cgroup is `own_memory` in the memory hierarchy, "/" elsewhere.
  void make_hybrid(const std::string& own_memory = "/");
  // Pure v2 with `own` as the caller's group.
  void make_v2(const std::string& own = "/user.slice/session-1.scope");

  // A new group `inner` in every v1 hierarchy and the unified mount, as
  // the kernel makes it (cpuset starts empty).
  void add_v1_group(const std::string& inner);
  // A new v2 group below root with every controller's files.
  void add_v2_group(const std::string& inner);

  // Starts/stops recording knob writes ("path-below-root = value" lines).
  void record();
  std::string recorded();

 private:
  std::string base_, root_, proc_;
  std::vector<std::string> log_;
};

// Compares `actual` with golden/<name>; BERTH_UPDATE_GOLDEN=1 rewrites it.
void expect_golden(const std::string& name, const std::string& actual);

// The files a new v1 group has in each controller (values as on 6.x).
std::map<std::string, std::string> v1_files(const std::string& controller);
// The files of a v2 group with every controller enabled.
std::map<std::string, std::string> v2_files();

}  // namespace berth::cgroups::testing
