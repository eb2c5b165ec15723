#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/container_spec.hpp"

namespace berth::engine {
namespace {

using Env = std::vector<std::string>;
const std::string kPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

TEST(ContainerEnv, ReplaceOrAppendLikeDockerd) {
  // In place, appended, a bare name unsets, a repeated new name stays twice.
  EXPECT_EQ(replace_or_append_env({"A=1", "B=2", "C=3"}, {"B=x", "Z=9", "C", "Z=8"}),
            (Env{"A=1", "B=x", "Z=9", "Z=8"}));
  EXPECT_EQ(replace_or_append_env({"A=1"}, {"A", "A=2"}), (Env{"A=2"}));
  EXPECT_EQ(replace_or_append_env({"A=1"}, {"A="}), (Env{"A="}));
}

TEST(ContainerEnv, ProcessEnvOrder) {
  EXPECT_EQ(process_env({"Z=9", "B=x", "C", "A=1"}, "h", false, {}, "/root"),
            (Env{kPath, "HOSTNAME=h", "Z=9", "B=x", "A=1", "HOME=/root"}));
  EXPECT_EQ(process_env({"PATH=x", "HOME=/x", "TERM=t"}, "h", true, {}, "/root"),
            (Env{"PATH=x", "HOSTNAME=h", "TERM=t", "HOME=/x"}));
  // An exec: its own tty and env over the container's Config.Env.
  EXPECT_EQ(process_env({"Z=9", "A=1", "C=3"}, "h", true, {"Q=1", "A=exec", "C"}, "/home/u"),
            (Env{kPath, "HOSTNAME=h", "TERM=xterm", "Z=9", "A=exec", "Q=1", "HOME=/home/u"}));
}

class RootfsUser : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("berth-user-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "etc");
    std::ofstream(dir_ / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                          "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                                          "u:x:1000:100::/home/u:/bin/sh\n";
    std::ofstream(dir_ / "etc/group") << "root:x:0:\ndaemon:x:1:\nwheel:x:10:root,u\n"
                                         "staff:x:50:\nusers:x:100:u\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  UserIds user(const std::string& spec, const Env& add = {}) {
    auto u = resolve_rootfs_user(dir_.string(), spec, add);
    EXPECT_TRUE(u) << u.error().to_string();
    return u.value_or(UserIds{});
  }
  std::filesystem::path dir_;
};

using Gids = std::vector<uint32_t>;

TEST_F(RootfsUser, SupplementaryGroupsOnlyInImplicitForm) {
  auto root = user("");
  EXPECT_EQ(root.uid, 0u);
  EXPECT_EQ(root.home, "/root");
  EXPECT_EQ(root.additional_gids, (Gids{0, 10}));
  EXPECT_EQ(user("0").additional_gids, (Gids{0, 10}));
  EXPECT_EQ(user("u").additional_gids, (Gids{100, 10}));  // primary first, not repeated
  EXPECT_EQ(user("root:staff").additional_gids, (Gids{50}));
  EXPECT_EQ(user("daemon:wheel").gid, 10u);
  auto unknown = user("4242");
  EXPECT_EQ(unknown.gid, 0u);
  EXPECT_EQ(unknown.home, "/");
  EXPECT_EQ(unknown.additional_gids, (Gids{0}));
  EXPECT_EQ(user("4242:4343").additional_gids, (Gids{4343}));
}

TEST_F(RootfsUser, GroupAddByNameOrNumber) {
  EXPECT_EQ(user("", {"wheel", "0", "1234", "staff"}).additional_gids, (Gids{0, 10, 1234, 50}));
  auto bad = resolve_rootfs_user(dir_.string(), "", {"nosuch"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "Unable to find group nosuch: no matching entries in group file");
  auto no_user = resolve_rootfs_user(dir_.string(), "nosuch");
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().to_string(), "unable to find user nosuch: no matching entries in passwd file");
  auto no_group = resolve_rootfs_user(dir_.string(), "0:nosuch");
  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().to_string(), "unable to find group nosuch: no matching entries in group file");
}

}  // namespace
}  // namespace berth::engine
