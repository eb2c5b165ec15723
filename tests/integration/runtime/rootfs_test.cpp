// The container's filesystem: spec mounts with their options, read-only
// binds (plain and recursive), masked and readonly paths, a read-only
// root, devices and /dev links, and mount targets that cannot escape the
// rootfs through symlinks.
#include <sys/mount.h>

#include "base/strings.hpp"
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Rootfs : public ContainerTest {};

TEST_F(Rootfs, DefaultMountsAreInPlace) {
  ASSERT_EQ(run_script("cat /proc/mounts > /out/mounts; ls -l /dev > /out/dev; "
                       "readlink /dev/ptmx > /out/ptmx; readlink /dev/fd > /out/fd"), 0);
  std::string mounts = out("mounts");
  for (const char* want : {"proc /proc proc", "tmpfs /dev tmpfs rw,nosuid", "devpts /dev/pts devpts",
                           "shm /dev/shm tmpfs rw,nosuid,nodev,noexec", "mqueue /dev/mqueue mqueue",
                           "sysfs /sys sysfs ro,nosuid,nodev,noexec", "/sys/fs/cgroup"})
    EXPECT_NE(mounts.find(want), std::string::npos) << want << "\n" << mounts;
  std::string dev = out("dev");
  for (const char* node : {"null", "zero", "full", "tty", "random", "urandom"})
    EXPECT_NE(dev.find(std::string(" ") + node), std::string::npos) << node;
  EXPECT_EQ(out("ptmx"), "pts/ptmx");
  EXPECT_EQ(out("fd"), "/proc/self/fd");
}

TEST_F(Rootfs, ReadonlyRootMaskedAndReadonlyPaths) {
  ASSERT_EQ(run_script("touch /rootfile 2>/dev/null; echo $? > /out/touch;"
                       "for f in /proc/timer_list /proc/sched_debug /proc/keys /proc/kcore; do"
                       "  [ -e $f ] && wc -c < $f >> /out/masked; done; ls /sys/firmware | wc -l > /out/firmware;"
                       "echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null; echo $? > /out/procsys;"
                       "touch /tmp/x 2>/dev/null; echo $? > /out/tmp"), 0);
  EXPECT_NE(out("touch"), "0");    // readonly root
  // Masked files that exist read as /dev/null.
  for (const auto& size : split(out("masked"), '\n')) EXPECT_EQ(size, "0");
  EXPECT_EQ(out("firmware"), "0");  // masked dir: empty tmpfs
  EXPECT_NE(out("procsys"), "0");  // readonly path
}

TEST_F(Rootfs, BindMountsHonourReadOnlyAndRecursiveReadOnly) {
  std::string src = base_ + "/src";
  ASSERT_TRUE(make_dirs(src + "/sub"));
  ASSERT_EQ(std::system(("mount -t tmpfs tmpfs " + src + "/sub").c_str()), 0);
  auto spec = spec_for("touch /ro/file 2>/dev/null; echo $? > /out/ro;"
                       "touch /ro/sub/file 2>/dev/null; echo $? > /out/ro_sub;"
                       "touch /rro/sub/file 2>/dev/null; echo $? > /out/rro_sub;"
                       "touch /rw/file; echo $? > /out/rw");
  spec.mounts.push_back({"/ro", "bind", src, {"rbind", "ro"}, {}, {}});
  spec.mounts.push_back({"/rro", "bind", src, {"rbind", "rro"}, {}, {}});
  spec.mounts.push_back({"/rw", "bind", src, {"bind"}, {}, {}});
  EXPECT_EQ(run_spec(spec), 0);
  ::umount2((src + "/sub").c_str(), MNT_DETACH);
  EXPECT_NE(out("ro"), "0");
  EXPECT_EQ(out("ro_sub"), "0");  // plain "ro" is not recursive...
  EXPECT_NE(out("rro_sub"), "0");  // ...but "rro" is
  EXPECT_EQ(out("rw"), "0");
  EXPECT_EQ(::access((src + "/file").c_str(), F_OK), 0);
}

TEST_F(Rootfs, TmpfsOptionsAndPropagation) {
  auto spec = spec_for("grep ' /scratch ' /proc/self/mountinfo > /out/scratch");
  spec.mounts.push_back({"/scratch", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1770", "size=1m", "rprivate"}, {}, {}});
  ASSERT_EQ(run_spec(spec), 0);
  std::string line = out("scratch");
  EXPECT_NE(line.find("nosuid,nodev"), std::string::npos) << line;
  EXPECT_NE(line.find("size=1024k"), std::string::npos) << line;
  EXPECT_NE(line.find("mode=1770"), std::string::npos) << line;
  EXPECT_EQ(line.find("shared:"), std::string::npos) << line;
}

TEST_F(Rootfs, SymlinkInImageCannotRedirectAMountToTheHost) {
  std::string host_dir = base_ + "/hostdir";
  ASSERT_TRUE(make_dirs(host_dir));
  ASSERT_TRUE(write_file_atomic(host_dir + "/precious", "keep"));
  // The image says /evil -> <absolute host path>; inside the rootfs that
  // resolves to <rootfs><host path>, never to the host's directory.
  ASSERT_EQ(::symlink(host_dir.c_str(), (bundle_ + "/rootfs/evil").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../../../..", (bundle_ + "/rootfs/up").c_str()), 0);
  auto spec = spec_for("ls /evil > /out/evil; ls /up/mnt > /out/up");
  spec.mounts.push_back({"/evil", "tmpfs", "tmpfs", {}, {}, {}});
  spec.mounts.push_back({"/up/mnt", "tmpfs", "tmpfs", {}, {}, {}});
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(read_file(host_dir + "/precious").value_or(""), "keep");
  EXPECT_EQ(sh("grep -c ' " + host_dir + " ' /proc/self/mounts"), "0");
  EXPECT_EQ(::access((bundle_ + "/rootfs" + host_dir).c_str(), F_OK), 0);  // created inside
  EXPECT_EQ(::access((bundle_ + "/rootfs/mnt").c_str(), F_OK), 0);
  EXPECT_EQ(::access("/mnt/precious", F_OK), -1);
}

TEST_F(Rootfs, SpecDevicesAreCreated) {
  auto spec = spec_for("ls -ln /dev/fuse > /out/fuse; echo hi > /dev/null; echo $? > /out/null");
  spec.linux->devices.push_back({"c", "/dev/fuse", 10, 229, 0640, 0u, 0u});
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_TRUE(out("fuse").starts_with("crw-r-----")) << out("fuse");
  EXPECT_NE(out("fuse").find("10, 229"), std::string::npos) << out("fuse");
  EXPECT_EQ(out("null"), "0");
}

TEST_F(Rootfs, NoPivotAlsoWorks) {
  write_config(spec_for("ls / > /out/root"));
  CreateOptions options{"np", bundle_, "", "", true, false, 0, true};
  auto code = run(ctx_, options, {});
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_EQ(*code, 0);
  EXPECT_NE(out("root").find("bin"), std::string::npos);
}

TEST_F(Rootfs, CgroupMountShowsTheHierarchies) {
  ASSERT_EQ(run_script("ls /sys/fs/cgroup > /out/cg; grep cgroup /proc/self/mountinfo | wc -l > /out/n"), 0);
  EXPECT_NE(out("cg"), "");
  EXPECT_GE(std::stoi(out("n")), 1);
  // As on the host: v1/hybrid hosts have per-controller directories.
  EXPECT_EQ(out("cg").find("memory") != std::string::npos, ::access("/sys/fs/cgroup/memory", F_OK) == 0);
}

}  // namespace
}  // namespace berth::runtime::testing
