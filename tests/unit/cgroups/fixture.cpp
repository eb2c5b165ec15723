#include "fixture.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/cgroups/util.hpp"

namespace fs = std::filesystem;

namespace berth::cgroups::testing {

FixtureTree::FixtureTree() {
  std::string tmpl = (fs::temp_directory_path() / "berth-cgfix-XXXXXX").string();
  base_ = ::mkdtemp(tmpl.data());
  root_ = base_ + "/sys/fs/cgroup";
  proc_ = base_ + "/proc/self";
  fs::create_directories(root_);
  fs::create_directories(proc_);
}

FixtureTree::~FixtureTree() {
  set_write_observer(nullptr, nullptr);
  std::error_code ec;
  fs::remove_all(base_, ec);
}

void FixtureTree::add_group(const std::string& rel,
                            const std::map<std::string, std::string>& files) {
  fs::create_directories(root_ + "/" + rel);
  for (const auto& [name, content] : files) write(rel + "/" + name, content);
}

void FixtureTree::write(const std::string& rel, const std::string& content) {
  std::string path = rel.rfind("/proc/", 0) == 0 ? base_ + rel : root_ + "/" + rel;
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << content;
}

std::string FixtureTree::read(const std::string& rel) const {
  std::ifstream in(root_ + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool FixtureTree::exists(const std::string& rel) const { return fs::exists(root_ + "/" + rel); }

void FixtureTree::make_hybrid(const std::string& own_memory) {
  std::string mi = "22 1 0:20 / " + base_ + "/sys rw - sysfs sysfs rw\n";
  mi += "30 22 0:27 / " + root_ + " rw,relatime - tmpfs tmpfs rw,mode=755\n";
  const char* ctrls[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"};
  int id = 31;
  for (const char* c : ctrls) {
    mi += std::to_string(id) + " 30 0:" + std::to_string(id - 3) + " / " + root_ + "/" + c +
          " rw,relatime - cgroup cgroup rw," + c + "\n";
    ++id;
    add_group(c, v1_files(c));
  }
  mi += "39 30 0:36 / " + root_ + "/systemd rw,relatime - cgroup cgroup rw,name=systemd\n";
  mi += "40 30 0:37 / " + root_ + "/unified rw,relatime - cgroup2 cgroup2 rw\n";
  add_group("systemd", {{"cgroup.procs", ""}});
  add_group("unified", {{"cgroup.procs", ""}, {"cgroup.controllers", ""},
                        {"cgroup.subtree_control", ""}});
  write("/proc/self/mountinfo", mi);
  write("/proc/self/cgroup",
        "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:" +
            own_memory + "\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n");
}

void FixtureTree::make_v2(const std::string& own) {
  std::string mi = "30 22 0:27 / " + root_ + " rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 "
                   "rw,nsdelegate,memory_recursiveprot\n";
  write("/proc/self/mountinfo", mi);
  write("/proc/self/cgroup", "0::" + own + "\n");
  add_group("", {{"cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc"},
                 {"cgroup.subtree_control", ""},
                 {"cgroup.procs", ""}});
}

void FixtureTree::add_v1_group(const std::string& inner) {
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"}) {
    auto files = v1_files(c);
    if (std::string(c) == "cpuset") files["cpuset.cpus"] = files["cpuset.mems"] = "\n";
    if (std::string(c) == "freezer") files["freezer.state"] = "THAWED\n";
    add_group(std::string(c) + inner, files);
  }
  add_group("systemd" + inner, {{"cgroup.procs", ""}});
  add_group("unified" + inner, {{"cgroup.procs", ""}, {"cgroup.events", "populated 0\nfrozen 0\n"},
                                {"cgroup.freeze", "0\n"}, {"cgroup.kill", ""}});
}

void FixtureTree::add_v2_group(const std::string& inner) { add_group(inner, v2_files()); }

void FixtureTree::record() {
  log_.clear();
  set_write_observer(
      [](void* ctx, const std::string& path, std::string_view value) {
        auto* self = static_cast<FixtureTree*>(ctx);
        std::string rel = path.substr(self->root_.size());
        self->log_.push_back(rel + " = " + std::string(value));
      },
      this);
}

std::string FixtureTree::recorded() {
  set_write_observer(nullptr, nullptr);
  std::string out;
  for (const auto& line : log_) out += line + "\n";
  return out;
}

void expect_golden(const std::string& name, const std::string& actual) {
  std::string path = std::string(BERTH_CGROUPS_GOLDEN_DIR) + "/" + name;
  if (const char* update = ::getenv("BERTH_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::trunc) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run with BERTH_UPDATE_GOLDEN=1)";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(actual, ss.str()) << "golden " << name;
}

std::map<std::string, std::string> v1_files(const std::string& c) {
  std::map<std::string, std::string> f = {{"cgroup.procs", ""}, {"tasks", ""}};
  if (c == "memory") {
    for (const char* n : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                          "memory.soft_limit_in_bytes", "memory.kmem.limit_in_bytes",
                          "memory.kmem.tcp.limit_in_bytes"})
      f[n] = "9223372036854771712\n";
    f["memory.swappiness"] = "60\n";
    f["memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n";
    f["memory.use_hierarchy"] = "1\n";
    f["memory.usage_in_bytes"] = "0\n";
  } else if (c == "cpu") {
    f = {{"cpu.shares", "1024\n"},        {"cpu.cfs_period_us", "100000\n"},
         {"cpu.cfs_quota_us", "-1\n"},    {"cpu.cfs_burst_us", "0\n"},
         {"cpu.rt_period_us", "1000000\n"}, {"cpu.rt_runtime_us", "0\n"},
         {"cpu.idle", "0\n"},             {"cgroup.procs", ""}};
  } else if (c == "cpuset") {
    f["cpuset.cpus"] = "0-3\n";
    f["cpuset.mems"] = "0\n";
  } else if (c == "devices") {
    f["devices.allow"] = "";
    f["devices.deny"] = "";
  } else if (c == "blkio") {
    for (const char* n : {"blkio.bfq.weight", "blkio.bfq.weight_device",
                          "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                          "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"})
      f[n] = "";
  } else if (c == "pids") {
    f["pids.max"] = "max\n";
    f["pids.current"] = "0\n";
  } else if (c == "freezer") {
    // The root of the freezer hierarchy has no freezer.state.
  }
  return f;
}

std::map<std::string, std::string> v2_files() {
  return {{"cgroup.procs", ""},
          {"cgroup.controllers", "cpuset cpu io memory hugetlb pids"},
          {"cgroup.subtree_control", ""},
          {"cgroup.freeze", "0\n"},
          {"cgroup.events", "populated 0\nfrozen 0\n"},
          {"cgroup.kill", ""},
          {"memory.max", "max\n"},
          {"memory.low", "0\n"},
          {"memory.swap.max", "max\n"},
          {"memory.current", "0\n"},
          {"cpu.weight", "100\n"},
          {"cpu.max", "max 100000\n"},
          {"cpu.max.burst", "0\n"},
          {"cpu.idle", "0\n"},
          {"cpuset.cpus", "\n"},
          {"cpuset.mems", "\n"},
          {"pids.max", "max\n"},
          {"io.weight", "default 100\n"},
          {"io.max", ""},
          {"hugetlb.2MB.max", "max\n"},
          {"hugetlb.1GB.max", "max\n"},
          {"hugetlb.2MB.rsvd.max", "max\n"}};
}

}  // namespace berth::cgroups::testing
