// The process: user and groups, cwd, env, umask, hostname, sysctls,
// rlimits (clamped, not failing), oom_score_adj, capabilities,
// no_new_privs and seccomp.
#include <sys/resource.h>

#include <cstdlib>
#include <optional>

#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Process : public ContainerTest {};

TEST_F(Process, UserGroupsCwdEnvUmask) {
  auto spec = spec_for("id > /out/id; pwd > /out/pwd; echo $GREETING > /out/env; umask > /out/umask; echo $HOME > /out/home");
  spec.process->user = {65534, 65534, 027, {5, 7}, ""};
  spec.process->cwd = "/tmp";
  spec.process->env.push_back("GREETING=hello");
  ASSERT_EQ(::chmod(outdir_.c_str(), 0777), 0);
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("id"), "uid=65534(nobody) gid=65534(nogroup) groups=5,7");
  EXPECT_EQ(out("pwd"), "/tmp");
  EXPECT_EQ(out("env"), "hello");
  EXPECT_EQ(out("umask"), "0027");
  EXPECT_EQ(out("home"), "/nonexistent");
}

TEST_F(Process, HostnameDomainnameAndSysctl) {
  auto spec = spec_for("hostname > /out/h; cat /proc/sys/kernel/domainname > /out/d;"
                       "cat /proc/sys/net/ipv4/ip_forward > /out/fwd");
  spec.hostname = "box";
  spec.domainname = "example.org";
  spec.linux->sysctl["net.ipv4.ip_forward"] = "1";
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("h"), "box");
  EXPECT_EQ(out("d"), "example.org");
  EXPECT_EQ(out("fwd"), "1");
}

TEST_F(Process, RlimitsAreSetAndClampedToWhatWeHold) {
  rlimit held{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &held), 0);
  auto spec = spec_for("ulimit -n > /out/soft; ulimit -Hn > /out/hard; grep 'core file' /proc/self/limits > /out/core");
  spec.process->rlimits = {{"RLIMIT_NOFILE", held.rlim_max + 1000000, 512}, {"RLIMIT_CORE", 4 << 20, 4 << 20}};
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("soft"), "512");
  // Raising beyond our hard limit needs CAP_SYS_RESOURCE: clamped, not failed.
  EXPECT_GE(std::stoull(out("hard")), static_cast<unsigned long long>(held.rlim_max));
  EXPECT_NE(out("core").find("4194304"), std::string::npos) << out("core");
}

TEST_F(Process, OomScoreAdjIsRaisedOrClamped) {
  auto spec = spec_for("cat /proc/self/oom_score_adj > /out/oom");
  spec.process->oom_score_adj = 500;
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_EQ(out("oom"), "500");
  spec.process->oom_score_adj = -1000;  // may need CAP_SYS_RESOURCE: never fails
  EXPECT_EQ(run_spec(spec), 0);
}

TEST_F(Process, CapabilitiesAndNoNewPrivs) {
  ASSERT_EQ(run_script("grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status > /out/status"), 0);
  std::string status = out("status");
  // runc's defaults: AUDIT_WRITE(29), KILL(5), NET_BIND_SERVICE(10).
  EXPECT_NE(status.find("CapEff:\t0000000020000420"), std::string::npos) << status;
  EXPECT_NE(status.find("CapBnd:\t0000000020000420"), std::string::npos) << status;
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
}

TEST_F(Process, SeccompDeniesWhatTheProfileDenies) {
  auto spec = spec_for("mkdir /dev/shm/a 2>/out/err; echo $? > /out/rc; touch /dev/shm/b; echo $? > /out/touch");
  oci::Seccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  sc.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1u, {}});
  spec.linux->seccomp = sc;
  ASSERT_EQ(run_spec(spec), 0);
  EXPECT_NE(out("rc"), "0");
  EXPECT_NE(out("err").find("Operation not permitted"), std::string::npos) << out("err");
  EXPECT_EQ(out("touch"), "0");
}

// runc's -ENOSYS stub: with a denying default, a syscall numbered above
// every one the profile names (one newer than the profile) gets ENOSYS,
// so programs fall back as on an older kernel; an unnamed older one still
// gets the default errno.
class SeccompEnosys : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const char* source =
        "#include <errno.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <unistd.h>\n"
        "#include <sys/syscall.h>\n"
        "static int err(long r) { return r < 0 ? errno : 0; }\n"
        "int main(void) { char b[64]; int n = snprintf(b, sizeof b, \"%d %d\", err(syscall(1000, 0, 0, 0)),"
        " err(syscall(SYS_acct, 0))); int fd = open(\"/out/result\", O_WRONLY | O_CREAT | O_TRUNC, 0644);"
        " return write(fd, b, n) == n ? 0 : 1; }\n";
    ASSERT_TRUE(write_file_atomic(base_ + "/probe.c", source));
    if (std::system(("cc -static -O1 -o " + bundle_ + "/rootfs/probe " + base_ + "/probe.c 2>/dev/null").c_str()) != 0)
      GTEST_SKIP() << "no C compiler with a static libc";
  }
  std::string probe(const std::string& default_action, std::optional<uint32_t> default_errno) {
    auto spec = spec_for("");
    spec.process->args = {"/probe"};
    oci::Seccomp sc;
    sc.default_action = default_action;
    sc.default_errno_ret = default_errno;
    sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    // What a static binary and the runtime's last steps need; acct (163)
    // is not named, and the highest named is rseq (334).
    sc.syscalls.push_back({{"read", "write", "open", "openat", "close", "fstat", "newfstatat", "lseek", "mmap",
                            "mprotect", "munmap", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
                            "access", "execve", "exit", "exit_group", "arch_prctl", "set_tid_address",
                            "set_robust_list", "rseq", "prlimit64", "getrandom", "readlink", "readlinkat", "uname",
                            "getpid", "gettid", "futex", "fcntl", "dup2", "dup3", "poll", "ppoll", "capget",
                            "capset", "prctl", "setgroups", "setresuid", "setresgid", "getuid", "geteuid", "getgid",
                            "getegid", "chdir", "getcwd", "umask", "statx", "sendto", "sendmsg", "recvmsg", "close_range"},
                           "SCMP_ACT_ALLOW", std::nullopt, {}});
    spec.linux->seccomp = sc;
    EXPECT_EQ(run_spec(spec), 0);
    return out("result");
  }
};

TEST_F(SeccompEnosys, NewerSyscallsGetEnosysUnderADenyingDefault) {
  const std::string enosys = std::to_string(ENOSYS);
  EXPECT_EQ(probe("SCMP_ACT_ERRNO", std::nullopt), enosys + " " + std::to_string(EPERM));
  EXPECT_EQ(probe("SCMP_ACT_ERRNO", ENXIO), enosys + " " + std::to_string(ENXIO));
  EXPECT_EQ(probe("SCMP_ACT_ERRNO", ENOSYS), enosys + " " + enosys);
}

}  // namespace
}  // namespace berth::runtime::testing
