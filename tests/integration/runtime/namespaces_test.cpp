// Each namespace type is new (a different inode from the host's), can be
// joined by path, and a user namespace gets the configured id maps.
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Namespaces : public ContainerTest {};

std::string host_ns(const std::string& name) {
  char buf[64];
  ssize_t n = ::readlink(("/proc/self/ns/" + name).c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST_F(Namespaces, EveryTypeIsNew) {
  auto spec = spec_for("for n in pid net mnt ipc uts cgroup; do readlink /proc/self/ns/$n > /out/$n; done;"
                       "readlink /proc/self/ns/time > /out/time; echo $$ > /out/pid1");
  spec.linux->namespaces.push_back({"cgroup", ""});
  spec.linux->namespaces.push_back({"time", ""});
  spec.linux->time_offsets["monotonic"] = {86400, 0};
  ASSERT_EQ(run_spec(spec), 0);
  for (const char* n : {"pid", "net", "mnt", "ipc", "uts", "cgroup", "time"}) {
    EXPECT_NE(out(n), host_ns(n)) << n;
    EXPECT_TRUE(out(n).starts_with(std::string(n) + ":[")) << n << " " << out(n);
  }
  EXPECT_EQ(out("pid1"), "1");
}

TEST_F(Namespaces, TimeNamespaceOffsetsApply) {
  auto spec = spec_for("cut -d. -f1 /proc/uptime > /out/uptime");
  spec.linux->namespaces.push_back({"time", ""});
  spec.linux->time_offsets["boottime"] = {1000000, 0};
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_GE(std::stol(out("uptime")), 1000000);
}

TEST_F(Namespaces, UserNamespaceMapsAreWritten) {
  auto spec = spec_for("cat /proc/self/uid_map > /out/uid_map; cat /proc/self/gid_map > /out/gid_map; id -u > /out/uid");
  spec.linux->namespaces.push_back({"user", ""});
  spec.linux->uid_mappings = {{0, 100000, 65536}};
  spec.linux->gid_mappings = {{0, 100000, 65536}};
  // Files must belong to the mapped range, as an image store would chown them.
  ASSERT_EQ(std::system(("chown -hR 100000:100000 " + bundle_ + "/rootfs " + outdir_).c_str()), 0);
  // The rootfs must be reachable by the mapped root.
  ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("uid_map"), "0     100000      65536");
  EXPECT_EQ(out("gid_map"), "0     100000      65536");
  EXPECT_EQ(out("uid"), "0");
  EXPECT_NE(out("uid_map"), sh("cat /proc/self/uid_map"));
}

// A bind source only the host's root may enter (0700, host-owned) is
// cloned by the runtime before the init joins the user namespace, as runc
// does; flags asked for (ro) still apply to the bind.
TEST_F(Namespaces, UserNamespaceBindsSourcesOnlyHostRootCanReach) {
  auto spec = spec_for("cat /mnt/a/f /mnt/b/f > /out/read; touch /mnt/a/new 2>/dev/null; echo $? > /out/ro");
  spec.linux->namespaces.push_back({"user", ""});
  spec.linux->uid_mappings = {{0, 100000, 65536}};
  spec.linux->gid_mappings = {{0, 100000, 65536}};
  ASSERT_EQ(std::system(("chown -hR 100000:100000 " + bundle_ + "/rootfs " + outdir_).c_str()), 0);
  ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);
  for (const char* name : {"a", "b"}) {
    std::string dir = base_ + "/private-" + name;
    ASSERT_TRUE(make_dirs(dir + "/dir", 0755));
    ASSERT_TRUE(write_file_atomic(dir + "/dir/f", std::string(name) + "\n"));
    ASSERT_EQ(::chmod((dir + "/dir/f").c_str(), 0644), 0);
    ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);  // closed to the mapped root
    spec.mounts.push_back({"/mnt/" + std::string(name), "bind", dir + "/dir",
                           {"bind", std::string(name) == "a" ? "ro" : "rw"}, {}, {}});
  }
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("read"), "a\nb");
  EXPECT_NE(out("ro"), "0");
}

TEST_F(Namespaces, JoinByPath) {
  // The first container owns a network and a uts namespace...
  auto first = spec_for("exec sleep 60");
  first.hostname = "owner";
  write_config(first);
  auto created = create(ctx_, {"owner", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created) << created.error().to_string();
  pid_t pid = created->pid;
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "owner"));
  // ...which the second joins by path.
  auto second = spec_for("readlink /proc/self/ns/net > /out/net; hostname > /out/hostname");
  second.hostname.clear();
  for (auto& ns : second.linux->namespaces) {
    if (ns.type == "network") ns.path = "/proc/" + std::to_string(pid) + "/ns/net";
    if (ns.type == "uts") ns.path = "/proc/" + std::to_string(pid) + "/ns/uts";
  }
  ASSERT_EQ(run_spec(second, "joiner"), 0);
  char buf[64];
  ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(out("net"), std::string(buf, static_cast<size_t>(n)));
  EXPECT_EQ(out("hostname"), "owner");
  ASSERT_TRUE(remove(ctx_, "owner", true));
}

}  // namespace
}  // namespace berth::runtime::testing
