// exec joins the running container (same namespaces as its init), with
// its own user, env, cwd and capabilities, and its exit code comes back;
// with a tty the console socket gets its own PTY.
#include <map>

#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Exec : public ContainerTest {
 protected:
  void start_sleeper(bool writable_cgroups = false) {
    auto spec = spec_for("echo $$ > /out/init_pid; readlink /proc/self/ns/mnt > /out/init_mnt; exec sleep 60");
    for (auto& m : spec.mounts)
      if (writable_cgroups && m.type == "cgroup") std::erase(m.options, std::string("ro"));
    write_config(spec);
    auto created = create(ctx_, {"x", bundle_, "", "", false, false, 0, true});
    ASSERT_TRUE(created) << created.error().to_string();
    (void)created->init.release();
    ASSERT_TRUE(start(ctx_, "x"));
    for (int i = 0; i < 300 && out("init_mnt").starts_with("<missing"); ++i) ::usleep(10000);
  }
};

TEST_F(Exec, JoinsTheContainerAndReturnsTheExitCode) {
  start_sleeper();
  ExecFlags flags;
  flags.args = {"sh", "-c", "readlink /proc/self/ns/mnt > /out/exec_mnt; id -u > /out/exec_uid; pwd > /out/exec_pwd;"
                            "echo $EXTRA > /out/exec_env; ps -o pid,args > /out/ps; exit 5"};
  flags.env = {"EXTRA=yes"};
  flags.cwd = "/tmp";
  flags.user = "65534:65534";
  ASSERT_EQ(::chmod(outdir_.c_str(), 0777), 0);
  auto process = exec_process_from_flags(ctx_, "x", flags);
  ASSERT_TRUE(process) << process.error().to_string();
  ExecOptions options;
  options.id = "x";
  options.process = *process;
  auto code = exec(ctx_, options);
  ASSERT_TRUE(code) << code.error().to_string();
  EXPECT_EQ(*code, 5);
  EXPECT_EQ(out("exec_mnt"), out("init_mnt"));
  EXPECT_EQ(out("exec_uid"), "65534");
  EXPECT_EQ(out("exec_pwd"), "/tmp");
  EXPECT_EQ(out("exec_env"), "yes");
  EXPECT_NE(out("ps").find("1 sleep 60"), std::string::npos) << out("ps");
}

TEST_F(Exec, MissingBinaryIsAnErrorNotAHang) {
  start_sleeper();
  ExecOptions options;
  options.id = "x";
  options.process = *exec_process_from_flags(ctx_, "x", ExecFlags{{"no-such-cmd"}, {}, "", "", {}, {}, false, false});
  auto code = exec(ctx_, options);
  ASSERT_FALSE(code);
  EXPECT_NE(code.error().to_string().find("executable file not found"), std::string::npos) << code.error().to_string();
}

TEST_F(Exec, RefusesAStoppedContainer) {
  start_sleeper();
  ASSERT_TRUE(kill(ctx_, "x", SIGKILL, false));
  for (int i = 0; i < 300 && state(ctx_, "x")->status != oci::Status::Stopped; ++i) ::usleep(10000);
  ExecOptions options;
  options.id = "x";
  options.process = *exec_process_from_flags(ctx_, "x", ExecFlags{{"true"}, {}, "", "", {}, {}, false, false});
  auto code = exec(ctx_, options);
  ASSERT_FALSE(code);
  EXPECT_TRUE(code.error().is(ErrorCategory::Conflict));
}

// exec --cgroup (runc 1.1): the process joins a group the container made
// below its own; paths climbing out and unknown controllers are refused.
TEST_F(Exec, JoinsASubCgroupBelowTheContainers) {
  start_sleeper(true);
  if (HasFatalFailure()) return;
  auto run_exec = [&](const std::string& script, std::map<std::string, std::string> sub) {
    ExecOptions options;
    options.id = "x";
    options.process = *exec_process_from_flags(ctx_, "x", ExecFlags{{"sh", "-c", script}, {}, "", "", {}, {}, false, false});
    options.sub_cgroups = std::move(sub);
    return exec(ctx_, options);
  };
  auto error_of = [&](std::map<std::string, std::string> sub) {
    auto code = run_exec("true", std::move(sub));
    return code ? std::string("<no error>") : code.error().to_string();
  };
  EXPECT_NE(error_of({{"", ".."}}).find(".. is not a sub cgroup path"), std::string::npos);
  EXPECT_NE(error_of({{"", "a/../../b"}}).find("is not a sub cgroup path"), std::string::npos);
  EXPECT_NE(error_of({{"", "nonexistent"}}).find("/nonexistent/cgroup.procs: no such file"), std::string::npos);
  EXPECT_NE(error_of({{"whaaat", "/"}}).find("unknown controller whaaat"), std::string::npos);

  // Pure v2 has one hierarchy; v1 and hybrid hosts have per-controller ones.
  bool v2 = ::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  std::string dir = v2 ? "/sys/fs/cgroup/sub" : "/sys/fs/cgroup/memory/sub";
  auto made = run_exec("mkdir " + dir, {});
  ASSERT_TRUE(made && *made == 0) << (made ? "exit " + std::to_string(*made) : made.error().to_string());
  auto code = run_exec("cat /proc/self/cgroup > /out/sub_cg", v2 ? std::map<std::string, std::string>{{"", "sub"}}
                                                                 : std::map<std::string, std::string>{{"memory", "sub"}});
  ASSERT_TRUE(code) << code.error().to_string();
  // The joined hierarchy's line names the group the container made.
  auto line_of = [&](const std::string& file) {
    for (const auto& line : split(out(file), '\n'))
      if (line.find(v2 ? "0::" : ":memory:") != std::string::npos) return line;
    return std::string("<no line in ") + out(file) + ">";
  };
  EXPECT_TRUE(line_of("sub_cg").ends_with("/sub")) << out("sub_cg");
  auto top = run_exec("cat /proc/self/cgroup > /out/top_cg", {{"", "/"}});
  ASSERT_TRUE(top) << top.error().to_string();
  EXPECT_FALSE(line_of("top_cg").ends_with("/sub")) << out("top_cg");
}

}  // namespace
}  // namespace berth::runtime::testing
