#include "engine/mount_spec.hpp"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

std::string error_of(const Result<MountPoint>& r) { return r ? "" : r.error().message(); }

bool always(const std::string&) { return true; }
bool never(const std::string&) { return false; }

TEST(BindSpec, HostPathIsBindWithMode) {
  auto m = parse_bind_spec("/tmp:/x:ro");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->type, "bind");
  EXPECT_EQ(m->source, "/tmp");
  EXPECT_EQ(m->destination, "/x");
  EXPECT_EQ(m->mode, "ro");
  EXPECT_FALSE(m->rw);
  EXPECT_EQ(m->propagation, "rprivate");
  EXPECT_TRUE(m->create_source);
}

TEST(BindSpec, NameIsVolumeWithZMode) {
  auto m = parse_bind_spec("data:/var/lib/x/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "volume");
  EXPECT_EQ(m->name, "data");
  EXPECT_EQ(m->destination, "/var/lib/x");
  EXPECT_EQ(m->mode, "z");
  EXPECT_TRUE(m->rw);
  EXPECT_TRUE(m->copy_data);
  EXPECT_FALSE(m->anonymous);
}

TEST(BindSpec, DestinationOnlyIsAnonymous) {
  auto m = parse_bind_spec("/data");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "volume");
  EXPECT_TRUE(m->anonymous);
}

TEST(BindSpec, NocopyAndPropagation) {
  auto v = parse_bind_spec("data:/d:nocopy");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->copy_data);
  auto b = parse_bind_spec("/a:/b:rw,rshared,z");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->propagation, "rshared");
  EXPECT_TRUE(b->rw);
}

TEST(BindSpec, DockerdErrors) {
  EXPECT_EQ(error_of(parse_bind_spec("/tmp:/x:bad")), "invalid mode: bad");
  EXPECT_EQ(error_of(parse_bind_spec("/tmp:/x:ro,rw")), "invalid mode: ro,rw");
  EXPECT_EQ(error_of(parse_bind_spec("a:b:c:d")), "invalid volume specification: 'a:b:c:d'");
  EXPECT_EQ(error_of(parse_bind_spec("/x:ro")), "invalid volume specification: '/x:ro'");
  EXPECT_EQ(error_of(parse_bind_spec(":/x")), "invalid volume specification: ':/x'");
  EXPECT_EQ(error_of(parse_bind_spec("/tmp:rel")),
            "invalid volume specification: '/tmp:rel': invalid mount config for type \"bind\": "
            "invalid mount path: 'rel' mount path must be absolute");
  EXPECT_EQ(error_of(parse_bind_spec("/tmp:/")),
            "invalid volume specification: '/tmp:/': invalid mount config for type \"bind\": "
            "invalid specification: destination can't be '/'");
  EXPECT_EQ(error_of(parse_bind_spec("/tmp:/x:nocopy")),
            "invalid volume specification: '/tmp:/x:nocopy': invalid mount config for type \"bind\": "
            "field VolumeOptions must not be specified");
}

TEST(MountJson, BindSourceMustExist) {
  auto r = parse_mount_json(R"({"Type":"bind","Source":"/nope","Target":"/x"})", never);
  EXPECT_EQ(error_of(r), "invalid mount config for type \"bind\": bind source path does not exist: /nope");
  auto ok = parse_mount_json(R"({"Type":"bind","Source":"/etc","Target":"/x","ReadOnly":true,
                               "BindOptions":{"Propagation":"rslave"}})", always);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->mode, "");
  EXPECT_FALSE(ok->rw);
  EXPECT_EQ(ok->propagation, "rslave");
  EXPECT_FALSE(ok->create_source);
}

TEST(MountJson, DockerdErrors) {
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"bind","Target":"/x"})", always)),
            "invalid mount config for type \"bind\": field Source must not be empty");
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"bind","Source":"/tmp","Target":""})", always)),
            "invalid mount config for type \"bind\": field Target must not be empty");
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"foo","Target":"/x"})", always)),
            "invalid mount config for type \"foo\": mount type unknown");
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"tmpfs","Source":"/tmp","Target":"/x"})", always)),
            "invalid mount config for type \"tmpfs\": field Source must not be specified");
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"volume","Target":"/x","ReadOnly":true})", always)),
            "invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous volumes");
  EXPECT_EQ(error_of(parse_mount_json(R"({"Type":"bind","Source":"/t","Target":"/x",
                                          "BindOptions":{"Propagation":"bad"}})", always)),
            "invalid mount config for type \"bind\": invalid propagation mode: bad");
}

TEST(MountJson, TmpfsOptions) {
  auto m = parse_mount_json(R"({"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1023}})",
                            always);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->tmpfs_options, (std::vector<std::string>{"nosuid", "nodev", "noexec", "size=1m", "mode=1777"}));
  EXPECT_FALSE(m->hidden);
}

TEST(Tmpfs, OptionsOverrideDefaults) {
  auto m = parse_tmpfs("/run", "size=64m,mode=1777,exec");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->tmpfs_options, (std::vector<std::string>{"nosuid", "nodev", "size=64m", "mode=1777"}));
  EXPECT_TRUE(m->hidden);
  EXPECT_EQ(error_of(parse_tmpfs("rel", "")), "invalid mount path: 'rel' mount path must be absolute");
}

TEST(ContainerMounts, DuplicatesAndAnonymous) {
  auto dup = container_mounts(R"({"Binds":["/tmp:/x","/etc:/x/"]})", {}, always);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message(), "Duplicate mount point: /x");
  auto dup2 = container_mounts(R"({"Binds":["/tmp:/x"],"Tmpfs":{"/x":""}})", {}, always);
  ASSERT_FALSE(dup2);
  auto all = container_mounts(R"({"Binds":["/tmp:/a"],"Mounts":[{"Type":"tmpfs","Target":"/b"}]})",
                              {"/a", "/c"}, always);
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 3u);  // /a is covered by the bind
  EXPECT_EQ((*all)[2].destination, "/c");
  EXPECT_TRUE((*all)[2].anonymous);
  EXPECT_EQ((*all)[2].mode, "");
}

TEST(VolumeName, Rules) {
  EXPECT_TRUE(validate_volume_name("ab"));
  EXPECT_TRUE(validate_volume_name("a.b-c_d"));
  EXPECT_EQ(validate_volume_name("a").error().message(),
            "create a: volume name is too short, names should be at least two alphanumeric characters");
  EXPECT_FALSE(validate_volume_name("a/b"));
  EXPECT_FALSE(validate_volume_name("-ab"));
  EXPECT_FALSE(validate_volume_name(""));
}

TEST(MountsJson, RoundTrip) {
  auto all = container_mounts(R"({"Binds":["/tmp:/a:ro","v1:/v"],"Tmpfs":{"/t":"size=1m"}})", {}, always);
  ASSERT_TRUE(all);
  auto back = mounts_from_json(mounts_to_json(*all));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[0].mode, "ro");
  EXPECT_EQ((*back)[1].name, "v1");
  EXPECT_EQ((*back)[2].tmpfs_options, (*all)[2].tmpfs_options);
  EXPECT_TRUE((*back)[2].hidden);
}

TEST(CleanPath, Lexical) {
  EXPECT_EQ(clean_path("/a//b/../c/"), "/a/c");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(clean_path("/"), "/");
}

}  // namespace
}  // namespace berth::engine
