// The process: user and groups, cwd, env, umask, hostname, sysctls,
// rlimits (clamped, not failing), oom_score_adj, capabilities,
// no_new_privs and seccomp.
#include <sys/resource.h>

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

}  // namespace
}  // namespace berth::runtime::testing
