#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_guard.hpp"
#include "base/strings.hpp"

namespace berth {
namespace {

TEST(Log, TextFormatQuotesOnlyWhenNeeded) {
  auto line = log::format_record(log::Format::Text, log::Level::Info, "started",
                                 {{"id", "abc"}, {"pid", 42}, {"why", "two words"}}, "T");
  EXPECT_EQ(line, "T info started id=abc pid=42 why=\"two words\"");
}

TEST(Log, JsonFormatMatchesRuncShape) {
  auto line =
      log::format_record(log::Format::Json, log::Level::Warn, "say \"hi\"\n", {{"k", "v"}}, "T");
  EXPECT_EQ(line, R"({"level":"warning","msg":"say \"hi\"\n","time":"T","k":"v"})");
}

TEST(Log, LogrusFormatIsRuncsText) {
  auto line = log::format_record(log::Format::Logrus, log::Level::Debug, "child process in init()",
                                 {{"pid", 7}, {"why", "two words"}}, "T");
  EXPECT_EQ(line, R"x(time="T" level=debug msg="child process in init()" pid=7 why="two words")x");
}

TEST(Log, WriteFieldsTakesRunTimeFields) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  log::configure(log::Level::Debug, log::Format::Json, p->write.get());
  auto restore = ScopeGuard([] { log::configure(log::Level::Info, log::Format::Text, 2); });
  std::string key = "path", value = "/bin/true";
  log::write_fields(log::Level::Debug, "about to exec", {log::Field(key, value)});
  p->write.reset();
  auto out = read_fd(p->read.get());
  ASSERT_TRUE(out);
  EXPECT_NE(out->find(R"("msg":"about to exec")"), std::string::npos) << *out;
  EXPECT_NE(out->find(R"("path":"/bin/true")"), std::string::npos) << *out;
}

TEST(Log, LevelsFilterAndWriteToConfiguredFd) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  log::configure(log::Level::Warn, log::Format::Json, p->write.get());
  auto restore = ScopeGuard([] { log::configure(log::Level::Info, log::Format::Text, 2); });
  log::info("hidden");
  log::error("shown", {{"n", 1}});
  p->write.reset();
  auto out = read_fd(p->read.get());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->find("hidden"), std::string::npos);
  EXPECT_NE(out->find(R"("level":"error","msg":"shown")"), std::string::npos);
  EXPECT_NE(out->find(R"("n":"1")"), std::string::npos);
}

TEST(Log, ParseLevelAndFormat) {
  EXPECT_EQ(*log::parse_level("DEBUG"), log::Level::Debug);
  EXPECT_EQ(*log::parse_level("warning"), log::Level::Warn);
  EXPECT_FALSE(log::parse_level("loud"));
  EXPECT_EQ(*log::parse_format("json"), log::Format::Json);
  EXPECT_FALSE(log::parse_format("xml"));
}

TEST(Strings, SplitJoinTrim) {
  EXPECT_EQ(split("a:b::c", ':'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("", ':'), (std::vector<std::string>{""}));
  EXPECT_EQ(join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(trim("  x y \n"), "x y");
  auto kv = split_once("KEY=a=b", '=');
  EXPECT_TRUE(kv.found);
  EXPECT_EQ(kv.first, "KEY");
  EXPECT_EQ(kv.second, "a=b");
  EXPECT_FALSE(split_once("novalue", '=').found);
}

TEST(Strings, ParseIntRejectsJunk) {
  EXPECT_EQ(*parse_int<int>("42"), 42);
  EXPECT_EQ(*parse_int<int>("-7"), -7);
  EXPECT_EQ(*parse_int<unsigned>("ff", 16), 255u);
  EXPECT_FALSE(parse_int<int>(""));
  EXPECT_FALSE(parse_int<int>("12x"));
  EXPECT_FALSE(parse_int<int>("99999999999"));
  EXPECT_FALSE(parse_int<unsigned>("-1"));
}

TEST(Strings, JsonQuoteEscapesControlCharacters) {
  EXPECT_EQ(json_quote("a\"b\\c\x01"), "\"a\\\"b\\\\c\\u0001\"");
}

TEST(ScopeGuard, RunsUnlessDismissed) {
  int runs = 0;
  {
    auto g = ScopeGuard([&] { ++runs; });
  }
  EXPECT_EQ(runs, 1);
  {
    auto g = ScopeGuard([&] { ++runs; });
    g.dismiss();
  }
  EXPECT_EQ(runs, 1);
  {
    auto g = ScopeGuard([&] { ++runs; });
    auto moved = std::move(g);  // only the new owner runs it
  }
  EXPECT_EQ(runs, 2);
}

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-file-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)!::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(FileTest, AtomicWriteReplacesWholeFileAndLeavesNoTemp) {
  std::string path = dir_ + "/state.json";
  ASSERT_TRUE(write_file_atomic(path, "first"));
  ASSERT_TRUE(write_file_atomic(path, "second, longer"));
  EXPECT_EQ(*read_file(path), "second, longer");
  int entries = 0;
  auto d = open_file(dir_, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(d);
  DIR* dp = ::fdopendir(d->release());
  while (auto* e = ::readdir(dp))
    if (e->d_name[0] != '.') ++entries;
  ::closedir(dp);
  EXPECT_EQ(entries, 1);
}

TEST_F(FileTest, UnsyncedAtomicWriteReplacesAndLeavesNoTemp) {
  auto d = open_file(dir_, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(d);
  ASSERT_TRUE(write_file_atomic_at(d->get(), "exit", "1", 0600, Durability::unsynced));
  ASSERT_TRUE(write_file_atomic_at(d->get(), "exit", "0 2026", 0600, Durability::unsynced));
  EXPECT_EQ(*read_file(dir_ + "/exit"), "0 2026");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/exit").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  DIR* dp = ::fdopendir(d->release());
  int entries = 0;
  while (auto* e = ::readdir(dp))
    if (e->d_name[0] != '.') ++entries;
  ::closedir(dp);
  EXPECT_EQ(entries, 1);
}

TEST_F(FileTest, ReadLimitIsEnforced) {
  std::string path = dir_ + "/big";
  ASSERT_TRUE(write_file_atomic(path, std::string(100, 'x')));
  auto r = read_file(path, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category(), ErrorCategory::InvalidArgument);
}

TEST_F(FileTest, MakeDirsCreatesChainAndRejectsFiles) {
  ASSERT_TRUE(make_dirs(dir_ + "/a/b/c"));
  ASSERT_TRUE(make_dirs(dir_ + "/a/b/c"));  // idempotent
  ASSERT_TRUE(write_file_atomic(dir_ + "/f", "x"));
  auto r = make_dirs(dir_ + "/f");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category(), ErrorCategory::Conflict);
}

TEST_F(FileTest, MissingFileIsNotFoundWithPath) {
  auto r = read_file(dir_ + "/missing");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(ErrorCategory::NotFound));
  EXPECT_NE(r.error().to_string().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace berth
