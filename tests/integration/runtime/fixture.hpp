// A busybox bundle for runtime integration tests, built from the host's
// /bin/busybox: applet symlinks, /etc/passwd and /etc/group. Each test
// gets a fresh state root and an /out directory (bound into the
// container) where container commands leave what they saw.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file.hpp"
#include "oci/runtime_codec.hpp"
#include "oci/runtime_default.hpp"
#include "base/strings.hpp"
#include "runtime/runtime.hpp"
#include "support/root.hpp"

namespace berth::runtime::testing {

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // runc's default spec, terminal off, running `sh -c script`, with /out.
  oci::Spec spec_for(const std::string& script);
  // Writes config.json for `spec` into the bundle.
  void write_config(const oci::Spec& spec);
  // create + start + wait + delete in the foreground; the exit code.
  int run_script(const std::string& script);
  int run_spec(const oci::Spec& spec, const std::string& id = "c1");
  std::string out(const std::string& name);  // /out/<name> as the host sees it
  std::string sh(const std::string& command);  // host shell, stdout

  std::string base_;    // temp dir holding everything
  std::string bundle_;  // base_/bundle, rootfs at bundle_/rootfs
  std::string outdir_;  // base_/out
  Context ctx_;
};

}  // namespace berth::runtime::testing
