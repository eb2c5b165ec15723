#include "engine/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace berth::engine {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigLayer layer(std::string source, std::map<std::string, ConfigValue> values) {
  return {std::move(source), std::move(values)};
}

TEST(Config, DefaultsAreBerthsLayout) {
  auto c = *resolve_config({}, fake_env({}));
  EXPECT_EQ(c.data_root, "/var/lib/berth");
  EXPECT_EQ(c.exec_root, "/run/berth");
  EXPECT_EQ(c.hosts, (std::vector<std::string>{"unix:///run/berth/berth.sock"}));
  EXPECT_EQ(c.group, "berth");
  EXPECT_EQ(c.insecure_registries, (std::vector<std::string>{"127.0.0.0/8"}));
  EXPECT_TRUE(c.sources.empty());
}

TEST(Config, HigherLayersWinKeyByKey) {
  auto flags = layer("flags", {{"data-root", std::string("/flag")}});
  auto etc = layer("/etc/berth/berthd.toml",
                   {{"data-root", std::string("/etc-root")}, {"log-level", std::string("debug")}});
  auto user = layer("~/.config/berth/berthd.toml",
                    {{"log-level", std::string("warn")}, {"bip", std::string("10.9.0.1/24")}});
  auto c = *resolve_config({flags, etc, user}, fake_env({}));
  EXPECT_EQ(c.data_root, "/flag");       // flags beat files
  EXPECT_EQ(c.log_level, "debug");       // /etc beats ~/.config
  EXPECT_EQ(c.bip, "10.9.0.1/24");       // only ~/.config sets it
  EXPECT_EQ(c.exec_root, "/run/berth");  // nobody sets it: default
  EXPECT_EQ(c.sources, (std::vector<std::string>{"/etc/berth/berthd.toml",
                                                 "~/.config/berth/berthd.toml"}));
}

TEST(Config, ParsesTomlWithDockerdKeyNames) {
  auto l = parse_config_toml(R"(
data-root = "${HOME}/berth"
hosts = ["unix:///tmp/a.sock", "unix:///var/run/docker.sock"]
insecure-registries = ["127.0.0.1:5000"]
debug = true
api-threads = 3
)", "test.toml");
  ASSERT_TRUE(l) << l.error().to_string();
  auto c = *resolve_config({*l}, fake_env({{"HOME", "/home/u"}}));
  EXPECT_EQ(c.data_root, "/home/u/berth");
  EXPECT_EQ(c.hosts.size(), 2u);
  EXPECT_EQ(c.insecure_registries, (std::vector<std::string>{"127.0.0.0/8", "127.0.0.1:5000"}));
  EXPECT_TRUE(c.debug);
  EXPECT_EQ(c.api_threads, 3);
}

TEST(Config, MirrorsAreHttpUrlsKeptWithOneTrailingSlash) {
  using Mirrors = std::vector<std::string>;
  auto with = [](Mirrors m) { return resolve_config({layer("f", {{"registry-mirrors", m}})}, fake_env({})); };
  auto good = with({"https://mirror.example", "http://127.0.0.1:5000//"});
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_EQ(good->registry_mirrors, (Mirrors{"https://mirror.example/", "http://127.0.0.1:5000/"}));
  for (const char* bad : {"mirror.example", "ftp://m", "https://", "https://m/?x=1", "https://u:p@m"}) {
    auto r = with({bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().to_string().find("invalid mirror"), std::string::npos) << r.error().to_string();
  }
}

TEST(Config, ErrorsNameTheFileAndKey) {
  auto unknown = parse_config_toml("data_root = \"/x\"\n", "/etc/berth/berthd.toml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().to_string().find("unknown key \"data_root\""), std::string::npos);
  auto syntax = parse_config_toml("hosts = [\n", "f.toml");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().to_string().find("f.toml:"), std::string::npos);
  auto wrong_type = resolve_config({layer("f.toml", {{"hosts", std::string("unix:///x")}})}, fake_env({}));
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().to_string().find("hosts"), std::string::npos);
  auto bad_level = resolve_config({layer("f", {{"log-level", std::string("loud")}})}, fake_env({}));
  EXPECT_FALSE(bad_level);
  auto relative = resolve_config({layer("f", {{"data-root", std::string("rel")}})}, fake_env({}));
  EXPECT_FALSE(relative);
  auto range = resolve_config({layer("f", {{"api-threads", int64_t{1000}}})}, fake_env({}));
  EXPECT_FALSE(range);
}

TEST(Config, EnvExpansion) {
  auto env = fake_env({{"HOME", "/root"}, {"X", "1"}});
  EXPECT_EQ(*expand_env("${HOME}/.local/${X}", env), "/root/.local/1");
  EXPECT_EQ(*expand_env("no vars $HOME", env), "no vars $HOME");
  EXPECT_FALSE(expand_env("${NOPE}", env));
  EXPECT_FALSE(expand_env("${HOME", env));
}

TEST(Config, ExplicitFileReplacesTheSearchPath) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / ".config/berth");
  std::ofstream(dir / ".config/berth/berthd.toml") << "exec-root = \"/user-exec\"\n";
  std::ofstream(dir / "explicit.toml") << "exec-root = \"/explicit\"\n";
  ConfigLayer flags{"flags", {}};
  auto from_home = load_daemon_config(flags, std::nullopt, dir.string(), fake_env({}));
  ASSERT_TRUE(from_home) << from_home.error().to_string();
  // /etc/berth/berthd.toml does not exist on a test machine; ~/.config applies.
  if (!std::filesystem::exists("/etc/berth/berthd.toml")) {
    EXPECT_EQ(from_home->exec_root, "/user-exec");
  }
  auto explicit_file = load_daemon_config(flags, (dir / "explicit.toml").string(), dir.string(), fake_env({}));
  ASSERT_TRUE(explicit_file);
  EXPECT_EQ(explicit_file->exec_root, "/explicit");
  auto missing = load_daemon_config(flags, (dir / "missing.toml").string(), dir.string(), fake_env({}));
  EXPECT_FALSE(missing);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::engine
