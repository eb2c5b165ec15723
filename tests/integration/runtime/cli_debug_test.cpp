// berth-runtime's --debug records from the container's init and from an
// exec child reach the runtime's own log (stderr or --log, text or json),
// and the program name shown in help and version output is argv[0]'s.
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class CliDebug : public ContainerTest {
 protected:
  // Runs the runtime (through `bin`), stdout+stderr to a file; the output.
  std::string rt(const std::string& args, int* code, const std::string& bin = BERTH_RUNTIME_BIN) {
    std::string file = base_ + "/cli.out";
    int rc = std::system((bin + " --root " + ctx_.root + " " + args + " >" + file + " 2>&1 </dev/null").c_str());
    *code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return read_file(file).value_or("");
  }
  static bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }
};

TEST_F(CliDebug, InitRecordsReachStderrAndTheLogFileInBothFormats) {
  write_config(spec_for("echo hello"));
  int code = 0;
  std::string out = rt("--debug run --bundle " + bundle_ + " d1", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(has(out, "level=debug msg=\"child process in init()\"")) << out;
  EXPECT_TRUE(has(out, "msg=\"=> nsexec container setup\"")) << out;
  EXPECT_TRUE(has(out, "msg=\"<= nsexec container setup\"")) << out;
  EXPECT_TRUE(has(out, "msg=\"pivot_root into rootfs\"")) << out;
  EXPECT_TRUE(has(out, "msg=\"init: closing the pipe to signal completion\"")) << out;
  EXPECT_TRUE(has(out, "hello")) << out;

  std::string log = base_ + "/log.json";
  out = rt("--debug --log " + log + " --log-format json run --bundle " + bundle_ + " d2", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_FALSE(has(out, "debug")) << out;
  std::string text = read_file(log).value_or("");
  EXPECT_TRUE(has(text, R"x({"level":"debug","msg":"child process in init()")x")) << text;
  EXPECT_TRUE(has(text, R"("msg":"init: closing the pipe to signal completion")")) << text;
  // Without --debug the init's debug records are not written at all.
  out = rt("run --bundle " + bundle_ + " d3", &code);
  EXPECT_FALSE(has(out, "nsexec")) << out;
}

TEST_F(CliDebug, ExecChildRecordsAreForwardedUpToItsExec) {
  write_config(spec_for("sleep 60"));
  int code = 0;
  rt("run -d --bundle " + bundle_ + " e1", &code);
  ASSERT_EQ(code, 0);
  std::string log = base_ + "/exec.log";
  std::string out = rt("--debug --log " + log + " exec e1 true", &code);
  EXPECT_EQ(code, 0) << out;
  std::string text = read_file(log).value_or("");
  EXPECT_TRUE(has(text, "child process in init()")) << text;
  EXPECT_TRUE(has(text, "<= nsexec container setup")) << text;
  EXPECT_TRUE(has(text, "msg=\"setns_init: about to exec\" path=/bin/true")) << text;
  // A failed exec is not "about to exec": the child's error comes back.
  out = rt("--debug exec e1 /missing", &code);
  EXPECT_NE(code, 0);
  EXPECT_FALSE(has(out, "about to exec")) << out;
  EXPECT_TRUE(has(out, "/missing")) << out;
  rt("delete -f e1", &code);
}

TEST_F(CliDebug, ProgramNameComesFromArgv0) {
  std::string link = base_ + "/runc";
  ASSERT_EQ(::symlink(BERTH_RUNTIME_BIN, link.c_str()), 0);
  int code = 0;
  std::string v = rt("-v", &code, link);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(v.starts_with("runc version ")) << v;
  EXPECT_TRUE(has(v, "\ncommit: ") && has(v, "\nspec: 1.0.2-dev\n")) << v;
  EXPECT_FALSE(has(v, "go:")) << v;  // no Go runtime to report
  // docker info takes name and version from the last line holding
  // "version" and the commit from "commit:"; keep that line unique.
  EXPECT_EQ(v.find("version"), v.rfind("version")) << v;
  std::string h = rt("-h", &code, link);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(h.starts_with("NAME:\n   runc - Open Container Initiative runtime\n")) << h;
  h = rt("delete --help", &code, link);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(h.starts_with("NAME:\n   runc delete - ")) << h;
  EXPECT_TRUE(has(h, "USAGE:\n   runc delete [command options] <container-id>")) << h;
  h = rt("checkpoint c", &code, link);
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(has(h, "not supported")) << h;
  h = rt("foo -h", &code, link);
  EXPECT_EQ(code, 3);
  EXPECT_TRUE(has(h, "No help topic for 'foo'")) << h;
  // Under its own name it is berth-runtime.
  v = rt("--version", &code);
  EXPECT_TRUE(v.starts_with("berth-runtime version ")) << v;
}

}  // namespace
}  // namespace berth::runtime::testing
