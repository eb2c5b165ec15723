#include "cli/help.hpp"

#include <gtest/gtest.h>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

// Walks the whole command table: each command's help has docker's shape
// (Usage, the description, aliases, an Options block naming every flag).
TEST(Help, EveryCommandListsUsageDescriptionAliasesAndAllFlags) {
  ASSERT_GT(all_commands().size(), 50u);
  for (const auto& c : all_commands()) {
    std::string text = command_help(c);
    SCOPED_TRACE(c.name);
    EXPECT_EQ(text.rfind("Usage:  berth " + c.name, 0), 0u);
    EXPECT_FALSE(c.summary.empty());
    EXPECT_NE(text.find("\n\n" + c.summary + "\n"), std::string::npos);
    for (const auto& a : c.aliases) EXPECT_NE(text.find("berth " + a), std::string::npos) << a;
    if (c.flags.empty()) continue;
    auto options = text.find("\nOptions:\n");
    ASSERT_NE(options, std::string::npos);
    for (const auto& f : c.flags) {
      std::string left = (f.short_name ? std::string("-") + f.short_name + ", " : std::string("    ")) + "--" +
                         f.long_name + (f.value_name.empty() ? "" : " " + f.value_name);
      EXPECT_NE(text.find("\n  " + left + " ", options), std::string::npos) << left;
      EXPECT_FALSE(f.help.empty()) << f.long_name;
    }
  }
}

TEST(Help, AliasesInDockersOrder) {
  Command ps;
  ps.name = "ps";
  ps.aliases = {"container ls", "container list", "container ps"};
  EXPECT_EQ(alias_line(ps), (std::vector<std::string>{"container ls", "container list", "container ps", "ps"}));
  Command rm;
  rm.name = "volume rm";
  rm.aliases = {"volume remove"};
  EXPECT_EQ(alias_line(rm), (std::vector<std::string>{"volume rm", "volume remove"}));
}

// 79 columns less the 24 of the flag column less 5 of slop: 50 per line.
TEST(Help, FlagsWrapLikeCobra) {
  std::vector<Flag> flags = {
      {'a', "all", "", "Show all the things that there are, including the ones nobody asked for at all", ""},
      {0, "format", "string", "Format output", "\"table\""}};
  EXPECT_EQ(format_flags(flags, 79),
            "Options:\n"
            "  -a, --all             Show all the things that there are, including the\n"
            "                        ones nobody asked for at all\n"
            "      --format string   Format output (default \"table\")\n");
  // Too narrow for a sensible column: the text moves below at column 16.
  std::string narrow = format_flags(flags, 36);
  EXPECT_NE(narrow.find("  -a, --all             \n                Show"), std::string::npos) << narrow;
}

}  // namespace
}  // namespace berth::cli
