// Regression tests for escape classes runc has shipped: host fds leaking
// into the container and a cwd outside its root (CVE-2024-21626), and the
// runtime's own process being reachable from inside through /proc/<pid>
// (CVE-2019-5736). The runtime runs in this test process, so an fd this
// process leaks (no CLOEXEC) is exactly the leak a careless caller causes.
#include <fcntl.h>
#include <sys/stat.h>

#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

constexpr int kLeaked = 57;  // far above anything the runtime opens itself

class Security : public ContainerTest {
 protected:
  // Leaks an fd to a host directory at kLeaked, as a caller without
  // O_CLOEXEC would.
  void leak_host_dir(const char* path) {
    int fd = ::open(path, O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::dup2(fd, kLeaked), kLeaked);
    ::close(fd);
  }
  void TearDown() override {
    ::close(kLeaked);
    ContainerTest::TearDown();
  }
  void start_sleeper() {
    write_config(spec_for("exec sleep 60"));
    auto created = create(ctx_, {"s", bundle_, "", "", false, false, 0, true});
    ASSERT_TRUE(created) << created.error().to_string();
    (void)created->init.release();
    ASSERT_TRUE(start(ctx_, "s"));
  }
  Result<int> exec_in_sleeper(std::vector<std::string> args, const std::string& cwd = "") {
    ExecFlags flags;
    flags.args = std::move(args);
    flags.cwd = cwd;
    auto process = TRY(exec_process_from_flags(ctx_, "s", flags));
    ExecOptions options;
    options.id = "s";
    options.process = process;
    return exec(ctx_, options);
  }
};

TEST_F(Security, HostFdsDoNotReachTheContainer) {
  leak_host_dir("/");
  EXPECT_EQ(run_script("[ -e /proc/self/fd/57 ] && echo open > /out/fd || echo closed > /out/fd"), 0);
  EXPECT_EQ(out("fd"), "closed");
}

TEST_F(Security, CwdThroughALeakedFdIsRefused) {
  leak_host_dir("/");
  auto spec = spec_for("pwd > /out/pwd");
  spec.process->cwd = "/proc/self/fd/57";
  write_config(spec);
  auto code = run(ctx_, {"c1", bundle_, "", "", false, false, 0, false}, RunOptions{});
  EXPECT_FALSE(code && *code == 0) << "ran with cwd " << out("pwd");
  EXPECT_TRUE(out("pwd").starts_with("<missing")) << out("pwd");
}

TEST_F(Security, ExecCannotUseALeakedFdForCwdOrExecutable) {
  start_sleeper();
  leak_host_dir("/bin");
  auto cwd = exec_in_sleeper({"sh", "-c", "pwd > /out/exec_pwd"}, "/proc/self/fd/57");
  EXPECT_FALSE(cwd && *cwd == 0) << "exec ran with cwd " << out("exec_pwd");
  // The host's /bin/busybox through the leaked fd must not be found.
  auto binary = exec_in_sleeper({"/proc/self/fd/57/busybox", "true"});
  EXPECT_FALSE(binary && *binary == 0) << "exec ran a host binary";
  ASSERT_TRUE(remove(ctx_, "s", true));
}

TEST_F(Security, ExecCapAddsBoundingEffectivePermittedNeverInheritable) {
  start_sleeper();
  ExecFlags flags;
  flags.args = {"sh", "-c", "grep ^Cap /proc/self/status > /out/caps"};
  flags.caps = {"CAP_SYS_ADMIN"};
  auto process = exec_process_from_flags(ctx_, "s", flags);
  ASSERT_TRUE(process) << process.error().to_string();
  EXPECT_TRUE(process->capabilities->inheritable.empty());
  ExecOptions options;
  options.id = "s";
  options.process = *process;
  auto code = exec(ctx_, options);
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_EQ(*code, 0);
  auto caps = out("caps");
  auto mask = [&](const std::string& key) {
    auto at = caps.find(key + ":\t");
    return at == std::string::npos ? ~0ULL : std::stoull(caps.substr(at + key.size() + 2, 16), nullptr, 16);
  };
  constexpr unsigned long long kSysAdmin = 1ULL << 21;
  EXPECT_TRUE(mask("CapBnd") & kSysAdmin) << caps;
  EXPECT_TRUE(mask("CapEff") & kSysAdmin) << caps;
  EXPECT_TRUE(mask("CapPrm") & kSysAdmin) << caps;
  EXPECT_EQ(mask("CapInh"), 0ULL) << caps;
  EXPECT_EQ(mask("CapAmb"), 0ULL) << caps;
  ASSERT_TRUE(remove(ctx_, "s", true));
}

TEST_F(Security, InitIsNotDumpableBeforeExec) {
  // In a user namespace whose root is host uid 100000, /proc/<init> of a
  // dumpable init would belong to 100000 and so to the container's root;
  // a non-dumpable one stays owned by the host's root.
  auto spec = spec_for("true");
  spec.linux->namespaces.push_back({"user", ""});
  spec.linux->uid_mappings = {{0, 100000, 65536}};
  spec.linux->gid_mappings = {{0, 100000, 65536}};
  ASSERT_EQ(std::system(("chown -hR 100000:100000 " + bundle_ + "/rootfs " + outdir_).c_str()), 0);
  ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);
  write_config(spec);
  auto created = create(ctx_, {"u", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created) << created.error().to_string();
  (void)created->init.release();
  // (/proc/<pid> itself always shows the euid; its files follow dumpability.)
  struct stat environ {};
  ASSERT_EQ(::stat(("/proc/" + std::to_string(created->pid) + "/environ").c_str(), &environ), 0);
  EXPECT_EQ(environ.st_uid, 0u) << "init's /proc files belong to the container's root";
  ASSERT_TRUE(remove(ctx_, "u", true));
}

// The moment that matters for CVE-2019-5736: the runtime's process (the
// init, still this binary) runs with the container's uid and capabilities
// just before execve, when startContainer hooks run as its children in
// the container. A dumpable init would be open to them (same uid, same
// capabilities) through /proc/1/exe; a non-dumpable one needs
// CAP_SYS_PTRACE, which the container does not have.
TEST_F(Security, RuntimeProcessIsClosedToTheContainerUntilExec) {
  auto spec = spec_for("true");
  spec.hooks = oci::Hooks{};
  spec.hooks->start_container = {
      {"/bin/sh", {"sh", "-c", "readlink /proc/1/exe > /out/exe 2>/dev/null; echo $? > /out/rc"}, {}, {}}};
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_NE(out("rc"), "0") << "the container read the runtime's /proc/1/exe: " << out("exe");
  EXPECT_EQ(out("exe"), "");
}

TEST_F(Security, NoPivotLeavesNoHostProcToRemount) {
  // A nested user + pid + mount namespace may mount a fresh procfs only if
  // a fully visible one exists in its mount namespace; with --no-pivot the
  // host's would still be there below the chroot.
  auto spec = spec_for("unshare -mrpf sh -c 'mount -t proc none /proc' 2> /out/err; echo $? > /out/rc");
  for (auto* set : {&spec.process->capabilities->bounding, &spec.process->capabilities->permitted})
    set->push_back("CAP_SETFCAP");
  write_config(spec);
  CreateOptions options{"np", bundle_, "", "", true, false, 0, true};
  auto code = run(ctx_, options, {});
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_NE(out("rc"), "0") << "a nested procfs mount succeeded under --no-pivot";
  EXPECT_NE(out("err").find("denied"), std::string::npos) << out("err");
}

// Docker's masks over /proc and /sys cannot be taken off from inside by
// the container's root without CAP_SYS_ADMIN: unmounting or remounting
// them fails, and they still hide what they hid.
TEST_F(Security, ProcAndSysMasksCannotBeUndone) {
  ASSERT_EQ(run_script("for m in /proc/kcore /proc/keys /proc/sys /proc/sysrq-trigger /sys/firmware; do"
                       "  umount $m 2>/dev/null && echo $m >> /out/undone;"
                       "  umount -l $m 2>/dev/null && echo $m >> /out/undone; done;"
                       "mount -o remount,rw /proc/sys 2>/dev/null && echo remount >> /out/undone;"
                       "mount -t proc proc /mnt 2>/dev/null && echo newproc >> /out/undone;"
                       "wc -c < /proc/keys > /out/keys; ls /sys/firmware | wc -l > /out/firmware;"
                       "awk '$2 == \"/proc/sys\" { split($4, o, \",\"); print o[1] }' /proc/self/mounts > /out/sys"),
            0);
  EXPECT_TRUE(out("undone").starts_with("<missing")) << out("undone");
  EXPECT_EQ(out("keys"), "0");
  EXPECT_EQ(out("firmware"), "0");
  EXPECT_EQ(out("sys"), "ro");
}

// Without a cgroup namespace the container sees its own group through a
// read-only /sys/fs/cgroup: it can neither write limits nor make groups.
TEST_F(Security, CgroupMountIsReadOnlyWithoutCgroupNamespace) {
  auto spec = spec_for("for d in /sys/fs/cgroup /sys/fs/cgroup/memory /sys/fs/cgroup/pids; do"
                       "  [ -d $d ] || continue; mkdir $d/escape 2>/dev/null && echo mkdir $d >> /out/wrote;"
                       "  for f in memory.max memory.limit_in_bytes pids.max; do"
                       "    [ -e $d/$f ] && echo max 2>/dev/null > $d/$f && echo $d/$f >> /out/wrote; done; done;"
                       "mount -o remount,rw /sys/fs/cgroup 2>/dev/null && echo remount >> /out/wrote; true");
  std::erase_if(spec.linux->namespaces, [](const oci::Namespace& ns) { return ns.type == "cgroup"; });
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_TRUE(out("wrote").starts_with("<missing")) << out("wrote");
}

// exec gets the container's confinement, not the runtime's: its seccomp
// filter, no_new_privs, capability sets and cgroup.
TEST_F(Security, ExecRunsUnderTheContainersConfinement) {
  auto spec = spec_for("grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status > /out/init_status;"
                       "cat /proc/self/cgroup > /out/init_cg; exec sleep 60");
  oci::Seccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1u, {}});
  spec.linux->seccomp = sc;
  write_config(spec);
  auto created = create(ctx_, {"s", bundle_, "", "", false, false, 0, true});
  ASSERT_TRUE(created) << created.error().to_string();
  (void)created->init.release();
  ASSERT_TRUE(start(ctx_, "s"));
  for (int i = 0; i < 300 && out("init_cg").starts_with("<missing"); ++i) ::usleep(10000);
  auto code = exec_in_sleeper({"sh", "-c", "mkdir /tmp/d 2>/dev/null; echo $? > /out/mkdir;"
                                           "grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status > /out/exec_status;"
                                           "cat /proc/self/cgroup > /out/exec_cg"});
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_NE(out("mkdir"), "0") << "the profile's mkdir denial did not apply to exec";
  EXPECT_EQ(out("exec_status"), out("init_status"));
  EXPECT_NE(out("exec_status").find("NoNewPrivs:\t1"), std::string::npos) << out("exec_status");
  EXPECT_NE(out("exec_status").find("Seccomp:\t2"), std::string::npos) << out("exec_status");
  EXPECT_EQ(out("exec_cg"), out("init_cg"));
  ASSERT_TRUE(remove(ctx_, "s", true));
}

}  // namespace
}  // namespace berth::runtime::testing
