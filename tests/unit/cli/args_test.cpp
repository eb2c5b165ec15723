#include "cli/args.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

const std::vector<Flag> kFlags = {
    {'d', "detach", "", "", ""}, {'i', "interactive", "", "", ""}, {'t', "tty", "", "", ""},
    {'e', "env", "list", "", ""}, {'p', "publish", "list", "", ""}, {0, "name", "string", "", ""},
    {0, "rm", "", "", ""}};

TEST(Args, LongShortCombinedAndValues) {
  auto a = parse_args(kFlags, {"-it", "--name=web", "-e", "A=1", "-eB=2", "--rm", "-dp", "80:80", "img"});
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_TRUE(flag_true(*a, "interactive"));
  EXPECT_TRUE(flag_true(*a, "tty"));
  EXPECT_TRUE(flag_true(*a, "detach"));
  EXPECT_EQ(a->get("name"), "web");
  EXPECT_EQ(a->all("env"), (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(a->get("publish"), "80:80");
  EXPECT_EQ(a->positional, std::vector<std::string>{"img"});
}

TEST(Args, StopsAtFirstPositionalForRun) {
  auto a = parse_args(kFlags, {"--rm", "busybox", "ls", "-l", "--name", "x"}, {true});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->positional, (std::vector<std::string>{"busybox", "ls", "-l", "--name", "x"}));
  EXPECT_FALSE(a->has("name"));
}

TEST(Args, ExplicitFalseAndDoubleDash) {
  auto a = parse_args(kFlags, {"--rm=false", "--", "-x"});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->has("rm"));
  EXPECT_FALSE(flag_true(*a, "rm"));
  EXPECT_EQ(a->positional, std::vector<std::string>{"-x"});
}

TEST(Args, ShortBoolTakesAnExplicitValue) {
  auto a = parse_args(kFlags, {"-d=false", "-t"});
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_TRUE(a->has("detach"));
  EXPECT_FALSE(flag_true(*a, "detach"));
  EXPECT_TRUE(flag_true(*a, "tty"));
}

TEST(Args, ErrorsUsePflagWording) {
  auto unknown = parse_args(kFlags, {"--bogus"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(), "unknown flag: --bogus");
  auto shorthand = parse_args(kFlags, {"-x"});
  ASSERT_FALSE(shorthand);
  EXPECT_EQ(shorthand.error().message(), "unknown shorthand flag: 'x' in -x");
  auto missing = parse_args(kFlags, {"--name"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "flag needs an argument: --name");
}

TEST(Args, HelpBlockAligns) {
  std::string help = format_flags({{'a', "all", "", "Show all", ""}, {0, "format", "string", "Format", ""}});
  EXPECT_EQ(help, "Options:\n  -a, --all             Show all\n      --format string   Format\n");
}

}  // namespace
}  // namespace berth::cli
