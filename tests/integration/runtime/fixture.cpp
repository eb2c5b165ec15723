#include "fixture.hpp"

#include <cstdio>
#include <cstdlib>

#include "base/strings.hpp"

namespace berth::runtime::testing {
namespace {

void make_busybox_rootfs(const std::string& rootfs) {
  ASSERT_TRUE(make_dirs(rootfs + "/bin"));
  ASSERT_TRUE(make_dirs(rootfs + "/etc"));
  ASSERT_TRUE(make_dirs(rootfs + "/tmp"));
  ASSERT_EQ(std::system(("cp /bin/busybox " + rootfs + "/bin/busybox").c_str()), 0);
  static const std::string applets = [] {
    std::string list;
    FILE* p = ::popen("/bin/busybox --list", "r");
    char buf[4096];
    size_t n;
    while (p && (n = std::fread(buf, 1, sizeof buf, p)) > 0) list.append(buf, n);
    if (p) ::pclose(p);
    return list;
  }();
  for (const auto& applet : split(applets, '\n'))
    if (!applet.empty() && applet != "busybox") (void)::symlink("busybox", (rootfs + "/bin/" + applet).c_str());
  ASSERT_TRUE(write_file_atomic(rootfs + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
  ASSERT_TRUE(write_file_atomic(rootfs + "/etc/group", "root:x:0:\nnogroup:x:65534:\n"));
}

}  // namespace

void ContainerTest::SetUp() {
  BERTH_REQUIRE_ROOT();
  char tmpl[] = "/tmp/berth-rt-it-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  base_ = tmpl;
  bundle_ = base_ + "/bundle";
  outdir_ = base_ + "/out";
  ASSERT_TRUE(make_dirs(outdir_, 0777));
  make_busybox_rootfs(bundle_ + "/rootfs");
  ctx_.root = base_ + "/state";
}

void ContainerTest::TearDown() {
  if (base_.empty()) return;
  auto all = list(ctx_);
  if (all)
    for (const auto& s : *all) (void)remove(ctx_, s.id, true);
  // Anything a failed test left mounted under the bundle goes first.
  std::system(("grep -o ' " + base_ + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null").c_str());
  std::system(("rm -rf " + base_).c_str());
}

oci::Spec ContainerTest::spec_for(const std::string& script) {
  oci::Spec spec = oci::default_spec();
  spec.process->terminal = false;
  spec.process->args = {"sh", "-c", script};
  spec.mounts.push_back({"/out", "bind", outdir_, {"rbind", "rw"}, {}, {}});
  // Tests run as parallel processes (ctest -j) and mostly name their
  // container "c1"; without a path of its own each container's cgroup
  // would be /<id> in every hierarchy, shared with another test's.
  static int specs = 0;
  spec.linux->cgroups_path = "/berth-it-" + std::to_string(::getpid()) + "-" + std::to_string(++specs);
  return spec;
}

void ContainerTest::write_config(const oci::Spec& spec) {
  ASSERT_TRUE(write_file_atomic(bundle_ + "/config.json", oci::to_json(oci::spec_to_json(spec))));
}

int ContainerTest::run_spec(const oci::Spec& spec, const std::string& id) {
  write_config(spec);
  CreateOptions options;
  options.id = id;
  options.bundle = bundle_;
  auto code = run(ctx_, options, RunOptions{});
  EXPECT_TRUE(code) << code.error().to_string();
  return code ? *code : -1;
}

int ContainerTest::run_script(const std::string& script) { return run_spec(spec_for(script)); }

std::string ContainerTest::out(const std::string& name) {
  auto text = read_file(outdir_ + "/" + name);
  return text ? std::string(trim(*text)) : "<missing " + name + ">";
}

std::string ContainerTest::sh(const std::string& command) {
  std::string result;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) result.append(buf, n);
  ::pclose(p);
  return std::string(trim(result));
}

}  // namespace berth::runtime::testing
