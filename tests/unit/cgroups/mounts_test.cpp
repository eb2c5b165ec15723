// Layout detection and cgroupsPath resolution against fixture hosts.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "runtime/cgroups/mounts.hpp"
#include "runtime/cgroups/util.hpp"

namespace berth::cgroups::testing {
namespace {

TEST(MountInfo, ParsesFieldsOptionalTagsAndEscapes) {
  auto e = parse_mountinfo_line(
      "36 25 0:31 /sub\\040dir /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 master:2 - cgroup "
      "cgroup rw,cpu,cpuacct");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->root, "/sub dir");
  EXPECT_EQ(e->mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(e->fstype, "cgroup");
  EXPECT_EQ(e->super_options, (std::vector<std::string>{"rw", "cpu", "cpuacct"}));
  EXPECT_FALSE(parse_mountinfo_line("36 25 0:31 / /x rw - cgroup"));
  EXPECT_FALSE(parse_mountinfo_line(""));
  EXPECT_FALSE(parse_mountinfo_line("1 2 3 4 5 6 7 8 9 10"));
  EXPECT_EQ(unescape_mountinfo("a\\011b\\\\c\\9"), "a\tb\\\\c\\9");
}

TEST(ProcCgroup, MapsHierarchiesAndUnified) {
  auto own = parse_proc_cgroup("12:cpu,cpuacct:/a\n1:name=systemd:/user.slice\n0::/b/c\nbogus\n");
  EXPECT_EQ(own["cpu,cpuacct"], "/a");
  EXPECT_EQ(own["name=systemd"], "/user.slice");
  EXPECT_EQ(own[""], "/b/c");
  EXPECT_EQ(own.size(), 3u);
}

TEST(Discover, HybridLikeThisMachine) {
  FixtureTree t;
  t.make_hybrid("/process_api/abc");
  auto host = discover(t.root(), t.proc_self());
  ASSERT_TRUE(host) << host.error().to_string();
  EXPECT_EQ(host->layout, Layout::Hybrid);
  EXPECT_EQ(host->v1.size(), 9u);
  ASSERT_TRUE(host->unified);
  EXPECT_EQ(host->unified->mountpoint, t.root() + "/unified");
  EXPECT_EQ(host->own.at("memory"), "/process_api/abc");
  EXPECT_EQ(host->own.at(""), "/");
  EXPECT_EQ(*detect_layout(t.root(), t.proc_self()), Layout::Hybrid);
}

TEST(Discover, PureV1AndPureV2) {
  FixtureTree v1;
  v1.make_hybrid();
  // Drop the cgroup2 line: pure v1.
  std::string mi = v1.read("../../../proc/self/mountinfo");
  mi = mi.substr(0, mi.find("40 30 0:37"));
  v1.write("/proc/self/mountinfo", mi);
  EXPECT_EQ(*detect_layout(v1.root(), v1.proc_self()), Layout::V1);

  FixtureTree v2;
  v2.make_v2();
  EXPECT_EQ(*detect_layout(v2.root(), v2.proc_self()), Layout::V2);

  FixtureTree none;
  none.write("/proc/self/mountinfo", "1 0 8:1 / / rw - ext4 /dev/sda rw\n");
  auto r = detect_layout(none.root(), none.proc_self());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::Unavailable));
}

TEST(Discover, CoMountedControllersShareOneHierarchy) {
  FixtureTree t;
  t.write("/proc/self/mountinfo",
          "31 30 0:28 / " + t.root() + "/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
          "32 30 0:29 / " + t.root() + "/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
          "33 30 0:30 / " + t.root() + "/memory rw - cgroup cgroup rw,memory\n");
  t.write("/proc/self/cgroup", "3:cpu,cpuacct:/x\n2:net_cls,net_prio:/\n1:memory:/\n");
  ManagerOptions o;
  o.mount_root = t.root();
  o.proc_self = t.proc_self();
  o.cgroups_path = "ctr";
  auto m = make_manager(o);
  ASSERT_TRUE(m) << m.error().to_string();
  auto paths = (*m)->paths();
  EXPECT_EQ(paths.at("cpu"), t.root() + "/cpu,cpuacct/x/ctr");
  EXPECT_EQ(paths.at("cpuacct"), paths.at("cpu"));
  EXPECT_EQ(paths.at("net_prio"), t.root() + "/net_cls,net_prio/ctr");
  EXPECT_EQ(paths.at("memory"), t.root() + "/memory/ctr");
  EXPECT_EQ((*m)->layout(), Layout::V1);
}

TEST(CleanPath, NeverClimbsAboveTheStart) {
  EXPECT_EQ(clean_path("/a/../../b"), "/b");
  EXPECT_EQ(clean_path("../../etc"), "etc");
  EXPECT_EQ(clean_path("a//b/./c/"), "a/b/c");
  EXPECT_EQ(clean_path("/"), "/");
  EXPECT_EQ(clean_path(""), "");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(join_path("/x/", "/y"), "/x/y");
  EXPECT_EQ(join_path("/", "y"), "/y");
  EXPECT_EQ(parent_path("/a/b"), "/a");
  EXPECT_EQ(parent_path("/a"), "/");
}

class Resolve : public ::testing::Test {
 protected:
  ManagerOptions options(const std::string& path) {
    ManagerOptions o;
    o.mount_root = t.root();
    o.proc_self = t.proc_self();
    o.cgroups_path = path;
    o.container_id = "c1";
    return o;
  }
  FixtureTree t;
};

TEST_F(Resolve, HybridAbsoluteRelativeAndDefault) {
  t.make_hybrid("/process_api/abc");
  auto abs = make_manager(options("/berth/x"));
  ASSERT_TRUE(abs);
  EXPECT_EQ((*abs)->layout(), Layout::Hybrid);
  EXPECT_EQ((*abs)->paths().at("memory"), t.root() + "/memory/berth/x");
  EXPECT_EQ((*abs)->paths().at(""), t.root() + "/unified/berth/x");
  EXPECT_EQ((*abs)->paths().at("name=systemd"), t.root() + "/systemd/berth/x");

  // Relative: below the caller's own group in each hierarchy, as runc does.
  auto rel = make_manager(options("x"));
  ASSERT_TRUE(rel);
  EXPECT_EQ((*rel)->paths().at("memory"), t.root() + "/memory/process_api/abc/x");
  EXPECT_EQ((*rel)->paths().at("pids"), t.root() + "/pids/x");

  auto def = make_manager(options(""));
  ASSERT_TRUE(def);
  EXPECT_EQ((*def)->paths().at("memory"), t.root() + "/memory/c1");

  auto escape = make_manager(options("../../../../etc"));
  ASSERT_TRUE(escape);
  EXPECT_EQ((*escape)->paths().at("memory"), t.root() + "/memory/process_api/abc/etc");

  auto root = make_manager(options("/.."));
  ASSERT_FALSE(root);
  EXPECT_TRUE(root.error().is(ErrorCategory::InvalidArgument));
}

TEST_F(Resolve, CgroupNamespaceRootIsStripped) {
  t.make_hybrid("/docker/abc/inner");
  // Inside a cgroup namespace the memory mount shows /docker/abc.
  std::string mi = t.read("../../../proc/self/mountinfo");
  auto pos = mi.find("/ " + t.root() + "/memory ");
  mi.replace(pos, 1, "/docker/abc");
  t.write("/proc/self/mountinfo", mi);
  auto rel = make_manager(options("x"));
  ASSERT_TRUE(rel) << rel.error().to_string();
  EXPECT_EQ((*rel)->paths().at("memory"), t.root() + "/memory/inner/x");
}

TEST_F(Resolve, V2RelativeUsesParentOfOwnGroup) {
  t.make_v2("/user.slice/session-1.scope");
  auto rel = make_manager(options("ctr"));
  ASSERT_TRUE(rel);
  EXPECT_EQ((*rel)->layout(), Layout::V2);
  EXPECT_EQ((*rel)->paths(), (std::map<std::string, std::string>{{"", t.root() + "/user.slice/ctr"}}));
  auto abs = make_manager(options("/machine/ctr"));
  ASSERT_TRUE(abs);
  EXPECT_EQ((*abs)->paths().at(""), t.root() + "/machine/ctr");
}

TEST_F(Resolve, SystemdDriverGivesAClearError) {
  t.make_hybrid();
  auto o = options("system.slice:berth:c1");
  o.systemd = true;
  o.systemd_marker = t.root() + "/no-such-dir";
  auto r = make_manager(o);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::Unavailable));
  EXPECT_NE(r.error().to_string().find("systemd is not running"), std::string::npos)
      << r.error().to_string();
  o.systemd_marker = t.root();  // "running": still refused, with its own message
  auto r2 = make_manager(o);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().to_string().find("not supported"), std::string::npos);
}

TEST(LoadManager, RoundTripsAndRefusesPathsOutsideTheMount) {
  std::map<std::string, std::string> v1 = {{"cpu", "/sys/fs/cgroup/cpu,cpuacct/x"},
                                           {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct/x"},
                                           {"memory", "/sys/fs/cgroup/memory/x"},
                                           {"", "/sys/fs/cgroup/unified/x"}};
  auto m = load_manager(v1);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->paths(), v1);
  EXPECT_EQ((*m)->layout(), Layout::Hybrid);
  auto v2 = load_manager({{"", "/sys/fs/cgroup/x"}});
  ASSERT_TRUE(v2);
  EXPECT_EQ((*v2)->layout(), Layout::V2);
  EXPECT_FALSE(load_manager({{"", "/sys/fs/cgroup/../../etc"}}));
  EXPECT_FALSE(load_manager({{"memory", "/etc/x"}}));
  EXPECT_FALSE(load_manager({}));
}

}  // namespace
}  // namespace berth::cgroups::testing
