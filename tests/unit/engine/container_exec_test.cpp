#include <gtest/gtest.h>

#include "engine/container_ops.hpp"

namespace berth::engine {
namespace {

TEST(ExecBody, ReadsDockerFields) {
  auto s = parse_exec_body(R"({"Cmd":["sh","-c","id"],"Env":["A=1"],"User":"nobody","WorkingDir":"/tmp",
                               "Tty":true,"AttachStdin":true,"AttachStdout":true,"AttachStderr":false,
                               "DetachKeys":"ctrl-p,ctrl-q","Privileged":null})");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->cmd, (std::vector<std::string>{"sh", "-c", "id"}));
  EXPECT_EQ(s->env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(s->user, "nobody");
  EXPECT_EQ(s->working_dir, "/tmp");
  EXPECT_TRUE(s->tty && s->attach_stdin && s->attach_stdout);
  EXPECT_FALSE(s->attach_stderr || s->privileged);
  EXPECT_EQ(s->detach_keys, "ctrl-p,ctrl-q");
}

TEST(ExecBody, RejectsWhatDockerdRejects) {
  for (const char* body : {R"({"Cmd":[]})", R"({})", R"({"Cmd":"ls"})", R"({"Cmd":["ls"],"Tty":"yes"})",
                           R"({"Cmd":["ls"],"WorkingDir":"tmp"})", R"({"Cmd":["ls"],"Env":["=x"]})", "[1]",
                           "{\"Cmd\":[\"ls\"]"}) {
    auto s = parse_exec_body(body);
    ASSERT_FALSE(s) << body;
    EXPECT_EQ(s.error().category(), ErrorCategory::InvalidArgument) << body;
  }
  EXPECT_EQ(parse_exec_body(R"({"Cmd":[]})").error().message(), "No exec command specified");
}

}  // namespace
}  // namespace berth::engine
