// exec joins the running container (same namespaces as its init), with
// its own user, env, cwd and capabilities, and its exit code comes back;
// with a tty the console socket gets its own PTY.
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Exec : public ContainerTest {
 protected:
  void start_sleeper() {
    write_config(spec_for("echo $$ > /out/init_pid; readlink /proc/self/ns/mnt > /out/init_mnt; exec sleep 60"));
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

}  // namespace
}  // namespace berth::runtime::testing
