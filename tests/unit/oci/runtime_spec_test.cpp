#include <gtest/gtest.h>

#include "oci/runtime_codec.hpp"
#include "oci/runtime_default.hpp"
#include "oci/runtime_state.hpp"
#include "oci/runtime_validate.hpp"

namespace berth::oci {
namespace {

constexpr const char* kMinimal = R"({
  "ociVersion": "1.2.0",
  "root": {"path": "rootfs"},
  "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 1000, "gid": 1000,
              "additionalGids": [5, 6], "umask": 18}},
  "someFutureField": {"x": [1, 2, 3]},
  "linux": {"namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/x"}],
            "resources": {"memory": {"limit": 104857600}, "pids": {"limit": 16},
                          "cpu": {"shares": 512, "cpus": "0"}},
            "futureLinuxField": true}
})";

TEST(RuntimeSpecParse, ReadsKnownFieldsAndToleratesUnknownOnes) {
  auto spec = parse_spec(kMinimal);
  ASSERT_TRUE(spec) << spec.error().to_string();
  EXPECT_EQ(spec->oci_version, "1.2.0");
  ASSERT_TRUE(spec->process);
  EXPECT_EQ(spec->process->user.uid, 1000u);
  EXPECT_EQ(spec->process->user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(spec->process->user.umask, 18u);
  ASSERT_TRUE(spec->linux);
  ASSERT_EQ(spec->linux->namespaces.size(), 2u);
  EXPECT_EQ(spec->linux->namespaces[1].path, "/run/netns/x");
  ASSERT_TRUE(spec->linux->resources && spec->linux->resources->memory);
  EXPECT_EQ(spec->linux->resources->memory->limit, 104857600);
  EXPECT_EQ(spec->linux->resources->pids_limit, 16);
  EXPECT_EQ(spec->linux->resources->cpu->cpus, "0");
  EXPECT_TRUE(validate(*spec)) << validate(*spec).error().to_string();
}

TEST(RuntimeSpecParse, NamesThePathOfAMistypedField) {
  auto spec = parse_spec(R"({"ociVersion":"1.0.0","process":{"user":{"uid":"root"}}})");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), "process.user.uid: expected an unsigned integer");
  auto neg = parse_spec(R"({"ociVersion":"1.0.0","linux":{"namespaces":[{"type":7}]}})");
  ASSERT_FALSE(neg);
  EXPECT_EQ(neg.error().message(), "linux.namespaces[0].type: expected a string");
  auto range = parse_spec(R"({"ociVersion":"1.0.0","process":{"user":{"uid":-1}}})");
  ASSERT_FALSE(range);
  EXPECT_TRUE(range.error().is(ErrorCategory::InvalidArgument));
}

TEST(RuntimeSpecParse, RejectsMalformedJsonWithPosition) {
  auto spec = parse_spec("{\n  \"ociVersion\": }");
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().message().find("line 2"), std::string::npos) << spec.error().message();
}

TEST(RuntimeSpecRoundTrip, SerialiseThenParseIsIdentity) {
  Spec original = default_spec();
  original.hooks = Hooks{};
  original.hooks->poststart.push_back({"/bin/echo", {"echo", "hi"}, {"A=1"}, 5});
  original.annotations["org.example"] = "x";
  original.linux->sysctl["net.ipv4.ip_forward"] = "1";
  std::string text = to_json(spec_to_json(original));
  auto parsed = parse_spec(text);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(to_json(spec_to_json(*parsed)), text);
  EXPECT_EQ(parsed->hooks->poststart[0].timeout, 5);
}

TEST(RuntimeSpecDefault, MatchesRuncShape) {
  Spec s = default_spec();
  EXPECT_TRUE(validate(s));
  auto j = spec_to_json(s).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : j) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "process", "root", "hostname", "mounts", "linux"}));
  EXPECT_EQ(s.mounts.size(), 7u);
  EXPECT_EQ(s.linux->masked_paths.size(), 10u);
  EXPECT_EQ(s.linux->readonly_paths.size(), 5u);
  EXPECT_TRUE(s.process->terminal);
  // Pretty output uses tabs like runc's.
  std::string pretty = to_pretty_json(spec_to_json(s), "\t");
  EXPECT_EQ(pretty.rfind("{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {", 0), 0u);
}

TEST(RuntimeSpecDefault, RootlessHasUserNamespaceAndNoNetwork) {
  Spec s = rootless_spec(1000, 1001);
  EXPECT_TRUE(validate(s)) << validate(s).error().to_string();
  EXPECT_TRUE(s.linux->find_namespace("user"));
  EXPECT_FALSE(s.linux->find_namespace("network"));
  EXPECT_EQ(s.linux->uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(s.linux->gid_mappings[0].host_id, 1001u);
  EXPECT_FALSE(s.linux->resources);
}

TEST(RuntimeSpecValidate, ListsEveryProblem) {
  Spec s = default_spec();
  s.oci_version = "2.0.0";
  s.process->cwd = "relative";
  s.process->args.clear();
  s.process->capabilities->bounding.push_back("CAP_NOPE");
  s.mounts[0].destination = "proc";
  s.linux->namespaces.push_back({"bogus", ""});
  s.linux->sysctl["kernel.panic"] = "1";
  s.linux->sysctl["net.core.somaxconn"] = "1";
  std::erase_if(s.linux->namespaces, [](const Namespace& n) { return n.type == "network"; });
  auto r = validate(s);
  ASSERT_FALSE(r);
  const std::string& m = r.error().message();
  for (const char* want : {"ociVersion: unsupported version 2.0.0", "process.cwd: must be an absolute path",
                           "process.args: must not be empty", "unknown capability CAP_NOPE",
                           "mounts[0].destination", "unknown namespace type \"bogus\"",
                           "linux.sysctl.kernel.panic: is not namespaced",
                           "linux.sysctl.net.core.somaxconn: needs a network namespace"})
    EXPECT_NE(m.find(want), std::string::npos) << "missing \"" << want << "\" in " << m;
}

TEST(RuntimeSpecValidate, UserNamespaceNeedsMappings) {
  Spec s = default_spec();
  s.linux->namespaces.push_back({"user", ""});
  EXPECT_FALSE(validate(s));
  s.linux->uid_mappings = {{0, 100000, 65536}};
  s.linux->gid_mappings = {{0, 100000, 65536}};
  EXPECT_TRUE(validate(s));
}

TEST(RuntimeState, RuncShapeAndRoundTrip) {
  State st{"1.0.2-dev", "c1", Status::Running, 42, "/b", {{"a", "b"}}, "/b/rootfs", "2026-01-01T00:00:00Z", ""};
  auto j = state_to_runc_json(st);
  std::vector<std::string> keys;
  for (const auto& kv : j.as_object()) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "id", "pid", "status", "bundle", "rootfs",
                                            "created", "owner", "annotations"}));
  auto back = state_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, Status::Running);
  EXPECT_EQ(back->pid, 42);
  auto hook = state_to_hook_json(st).as_object();
  EXPECT_EQ(hook.at("status").as_string(), "running");
  EXPECT_FALSE(hook.contains("rootfs"));
}

}  // namespace
}  // namespace berth::oci
