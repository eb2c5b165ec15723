#include "monitor/json_log.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.hpp"
#include "monitor/protocol.hpp"

namespace berth::monitor {
namespace {

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(JsonLog, EntryShape) {
  EXPECT_EQ(encode_log_entry("hi \"x\"\n", "stdout", "T"),
            "{\"log\":\"hi \\\"x\\\"\\n\",\"stream\":\"stdout\",\"time\":\"T\"}\n");
}

TEST(JsonLog, SplitsLinesAndKeepsPartialsUntilFlush) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  UniqueFd r(p[0]), w(p[1]);
  LogWriter log(w.get());
  log.add(1, "a\nb", "T1");
  log.add(2, "e\n", "T2");
  log.add(1, "c\n", "T3");
  log.add(1, "tail", "T4");
  log.flush("T5");
  w.reset();
  EXPECT_EQ(drain(r.get()),
            "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"T1\"}\n"
            "{\"log\":\"e\\n\",\"stream\":\"stderr\",\"time\":\"T2\"}\n"
            "{\"log\":\"bc\\n\",\"stream\":\"stdout\",\"time\":\"T3\"}\n"
            "{\"log\":\"tail\",\"stream\":\"stdout\",\"time\":\"T5\"}\n");
}

TEST(JsonLog, LongLinesAreCutAt16KiB) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK), 0);
  UniqueFd r(p[0]), w(p[1]);
  LogWriter log(w.get());
  log.add(1, std::string(16 * 1024 + 10, 'x') + "\n", "T");
  w.reset();
  std::string out = drain(r.get());
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_NE(out.find(std::string(10, 'x') + "\\n\""), std::string::npos);
}

TEST(Protocol, ExitRecordRoundTrips) {
  auto r = *parse_exit(format_exit({137, "2026-01-02T03:04:05.000000001Z"}));
  EXPECT_EQ(r.code, 137);
  EXPECT_EQ(r.finished_at, "2026-01-02T03:04:05.000000001Z");
  EXPECT_FALSE(parse_exit("x y"));
  EXPECT_EQ(log_file_name("abc"), "abc-json.log");
}

}  // namespace
}  // namespace berth::monitor
