// All six hook kinds run in the order the spec gives, with the state on
// stdin, their args and env; a failing hook fails the operation and
// leaves nothing behind; a hook that overruns its timeout is killed.
#include "base/strings.hpp"
#include "fixture.hpp"

namespace berth::runtime::testing {
namespace {

class Hooks : public ContainerTest {
 protected:
  oci::Hook hook(const std::string& name) {
    std::string log = outdir_ + "/hooks.log";
    return {"/bin/sh", {"sh", "-c", "read -r state; echo \"" + name + " $HOOK_ENV ${state}\" >> " + log}, {"HOOK_ENV=" + name + "-env"}, {}};
  }
};

TEST_F(Hooks, RunInOrderWithStateOnStdin) {
  // poststart runs once the process has been exec'd, concurrently with it.
  auto spec = spec_for("sleep 0.5; echo process >> /out/hooks.log");
  spec.hooks = oci::Hooks{};
  spec.hooks->prestart = {hook("prestart")};
  spec.hooks->create_runtime = {hook("createRuntime")};
  spec.hooks->create_container = {hook("createContainer")};
  spec.hooks->start_container = {hook("startContainer")};
  spec.hooks->poststart = {hook("poststart")};
  spec.hooks->poststop = {hook("poststop")};
  spec.annotations["org.example.k"] = "v";
  // startContainer runs inside the container: /bin/sh is the busybox one,
  // and the log path is the container's.
  spec.hooks->start_container[0].args[2] = "read -r state; echo \"startContainer $HOOK_ENV ${state}\" >> /out/hooks.log";
  ASSERT_EQ(run_spec(spec), 0);
  auto lines = split(out("hooks.log"), '\n');
  std::vector<std::string> order;
  for (const auto& l : lines) order.push_back(l.substr(0, l.find(' ')));
  EXPECT_EQ(order, (std::vector<std::string>{"prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "process", "poststop"}))
      << out("hooks.log");
  ASSERT_GE(lines.size(), 7u);
  EXPECT_NE(lines[0].find("prestart-env"), std::string::npos);
  EXPECT_NE(lines[0].find("\"id\":\"c1\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"status\":\"creating\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"org.example.k\":\"v\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[6].find("\"status\":\"stopped\""), std::string::npos) << lines[6];
}

TEST_F(Hooks, FailingHookFailsCreateAndCleansUp) {
  auto spec = spec_for("true");
  spec.hooks = oci::Hooks{};
  spec.hooks->create_runtime = {{"/bin/false", {"false"}, {}, {}}};
  write_config(spec);
  auto created = create(ctx_, {"h", bundle_, "", "", false, false, 0, true});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().to_string().find("hook #0 (createRuntime)"), std::string::npos) << created.error().to_string();
  EXPECT_EQ(::access((ctx_.root + "/h").c_str(), F_OK), -1);
  EXPECT_EQ(sh("grep -c " + bundle_ + " /proc/self/mounts"), "0");
}

TEST_F(Hooks, TimeoutKillsTheHook) {
  auto spec = spec_for("true");
  spec.hooks = oci::Hooks{};
  spec.hooks->prestart = {{"/bin/sleep", {"sleep", "30"}, {}, 1}};
  write_config(spec);
  auto t0 = std::chrono::steady_clock::now();
  auto created = create(ctx_, {"t", bundle_, "", "", false, false, 0, true});
  ASSERT_FALSE(created);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_NE(created.error().to_string().find("timeout"), std::string::npos);
}

}  // namespace
}  // namespace berth::runtime::testing
