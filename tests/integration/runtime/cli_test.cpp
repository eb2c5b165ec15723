// The berth-runtime binary: runc's command line, state JSON, exit codes
// and one-line errors.
#include <algorithm>

#include "base/strings.hpp"
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Cli : public ContainerTest {
 protected:
  std::string rt(const std::string& args, int* code = nullptr) {
    // Output goes to a file, not a pipe: a container's init inherits the
    // runtime's stdio and would hold a pipe open for its whole life.
    std::string file = base_ + "/cli.out";
    std::string cmd = std::string(BERTH_RUNTIME_BIN) + " --root " + ctx_.root + " " + args + " >" + file +
                      " 2>&1 </dev/null; echo \"rc=$?\" >> " + file;
    std::system(cmd.c_str());
    std::string text = read_file(file).value_or("rc=-1");
    auto at = text.rfind("rc=");
    if (code) *code = std::stoi(text.substr(at + 3));
    return std::string(trim(text.substr(0, at)));
  }
};

TEST_F(Cli, SpecCreateStartStateKillDelete) {
  int code = 0;
  std::system(("rm -f " + bundle_ + "/config.json").c_str());
  rt("spec --bundle " + bundle_, &code);
  ASSERT_EQ(code, 0);
  auto spec = oci::parse_spec(*read_file(bundle_ + "/config.json"));
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->process->terminal);
  spec->process->terminal = false;
  spec->process->args = {"sleep", "60"};
  write_config(*spec);
  rt("create --bundle " + bundle_ + " c", &code);
  ASSERT_EQ(code, 0);
  std::string st = rt("state c", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(st.find("\"status\": \"created\""), std::string::npos) << st;
  EXPECT_NE(st.find("\"id\": \"c\""), std::string::npos) << st;
  rt("start c", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(rt("state c").find("\"status\": \"running\""), std::string::npos);
  EXPECT_EQ(rt("list -q"), "c");
  rt("kill c 9", &code);
  EXPECT_EQ(code, 0);
  for (int i = 0; i < 300 && rt("state c").find("stopped") == std::string::npos; ++i) ::usleep(10000);
  rt("delete c", &code);
  EXPECT_EQ(code, 0);
  std::string missing = rt("state c", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(missing.find("container does not exist"), std::string::npos) << missing;
}

TEST_F(Cli, RunPropagatesTheExitCodeAndMisuseFailsCleanly) {
  auto spec = spec_for("exit 42");
  write_config(spec);
  int code = 0;
  rt("run --bundle " + bundle_ + " r", &code);
  EXPECT_EQ(code, 42);
  std::string err = rt("kill r", &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 0) << err;
  err = rt("create --bundle /nonexistent x", &code);
  EXPECT_EQ(code, 1);
  err = rt("--version", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(err.find("spec: 1.0.2-dev"), std::string::npos);
  err = rt("--systemd-cgroup list", &code);
  if (::access("/run/systemd/system", F_OK) != 0) {
    EXPECT_EQ(code, 1);
    EXPECT_NE(err.find("systemd"), std::string::npos);
  }
}

// Rootless: `spec --rootless` and `run` as an unprivileged user (nobody)
// with its own user namespace. No cgroup can be made (no limits asked),
// setgroups is denied in such a namespace, the exit code comes back.
TEST_F(Cli, RootlessRunAsAnUnprivilegedUser) {
  if (sh("command -v setpriv").empty()) GTEST_SKIP() << "setpriv (util-linux) not installed";
  const std::string as_nobody = "setpriv --reuid 65534 --regid 65534 --clear-groups ";
  ASSERT_EQ(std::system(("chown -R 65534:65534 " + base_ + " && chmod 755 " + base_).c_str()), 0);
  std::system(("rm -f " + bundle_ + "/config.json").c_str());
  std::string rt_bin = BERTH_RUNTIME_BIN;
  ASSERT_EQ(std::system(("cd " + bundle_ + " && " + as_nobody + rt_bin + " spec --rootless").c_str()), 0);
  auto text = read_file(bundle_ + "/config.json");
  ASSERT_TRUE(text);
  auto spec = oci::parse_spec(*text);
  ASSERT_TRUE(spec) << spec.error().to_string();
  EXPECT_EQ(spec->linux->uid_mappings.at(0).host_id, 65534u);
  spec->process->terminal = false;
  spec->process->args = {"sh", "-c", "id -u; cat /proc/self/uid_map; exit 3"};
  write_config(*spec);
  std::string file = base_ + "/rootless.out";
  int rc = std::system((as_nobody + rt_bin + " --root " + base_ + "/rootless-state run --bundle " + bundle_ +
                        " rl >" + file + " 2>&1 </dev/null").c_str());
  std::string output = read_file(file).value_or("");
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 3) << output;
  EXPECT_NE(output.find("0\n         0      65534          1"), std::string::npos) << output;
  EXPECT_TRUE(sh("ls " + base_ + "/rootless-state").empty());  // deleted after the run
}

// Rootless exec: an unprivileged runtime cannot enter the container's pid
// namespace from the host's user namespace; the exec'd process must join
// the user namespace first and still end up in the pid namespace.
TEST_F(Cli, RootlessExecJoinsUserNamespaceFirst) {
  if (sh("command -v setpriv").empty()) GTEST_SKIP() << "setpriv (util-linux) not installed";
  const std::string as_nobody = "setpriv --reuid 65534 --regid 65534 --clear-groups ";
  ASSERT_EQ(std::system(("chown -R 65534:65534 " + base_ + " && chmod 755 " + base_).c_str()), 0);
  std::system(("rm -f " + bundle_ + "/config.json").c_str());
  std::string rt_bin = as_nobody + BERTH_RUNTIME_BIN + " --root " + base_ + "/rootless-state ";
  ASSERT_EQ(std::system(("cd " + bundle_ + " && " + rt_bin + "spec --rootless").c_str()), 0);
  auto spec = oci::parse_spec(*read_file(bundle_ + "/config.json"));
  ASSERT_TRUE(spec);
  spec->process->terminal = false;
  spec->process->args = {"sleep", "60"};
  write_config(*spec);
  std::string file = base_ + "/rootless.out";
  ASSERT_EQ(std::system((rt_bin + "run -d --bundle " + bundle_ + " rx >" + file + " 2>&1 </dev/null").c_str()), 0)
      << read_file(file).value_or("");
  int rc = std::system((rt_bin + "exec rx sh -c 'id -u; cat /proc/1/cmdline; echo; cat /proc/self/uid_map; exit 5' >" +
                        file + " 2>&1 </dev/null").c_str());
  std::string output = read_file(file).value_or("");
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 5) << output;
  // Root of the container's user namespace, in its pid namespace (pid 1
  // is the container's sleep) and mount namespace (its /proc).
  EXPECT_TRUE(output.starts_with("0\nsleep\0")) << output;
  EXPECT_NE(output.find("         0      65534          1"), std::string::npos) << output;
  // A detached exec is adopted and keeps running in the container.
  ASSERT_EQ(std::system((rt_bin + "exec -d rx sleep 30 >" + file + " 2>&1 </dev/null").c_str()), 0)
      << read_file(file).value_or("");
  ASSERT_EQ(std::system((rt_bin + "exec rx sh -c 'ps -o comm | grep -c sleep' >" + file + " 2>&1 </dev/null").c_str()),
            0);
  EXPECT_EQ(trim(read_file(file).value_or("")), "2");
  EXPECT_EQ(std::system((rt_bin + "delete -f rx").c_str()), 0);
}

TEST_F(Cli, SpecMatchesRuncWhereRuncIsInstalled) {
  if (sh("command -v runc").empty()) GTEST_SKIP() << "runc not installed";
  std::string a = base_ + "/a", b = base_ + "/b";
  ASSERT_TRUE(make_dirs(a));
  ASSERT_TRUE(make_dirs(b));
  for (const char* flags : {"", "--rootless"}) {
    std::system(("rm -f " + a + "/config.json " + b + "/config.json").c_str());
    ASSERT_EQ(std::system(("cd " + a + " && runc spec " + flags).c_str()), 0);
    rt(std::string("spec --bundle ") + b + " " + flags);
    auto runc_spec = oci::parse_spec(*read_file(a + "/config.json"));
    auto ours = oci::parse_spec(*read_file(b + "/config.json"));
    ASSERT_TRUE(runc_spec && ours);
    EXPECT_EQ(oci::to_json(oci::spec_to_json(*ours)), oci::to_json(oci::spec_to_json(*runc_spec))) << flags;
  }
}

}  // namespace
}  // namespace berth::runtime::testing
