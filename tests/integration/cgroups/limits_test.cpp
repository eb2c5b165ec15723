// Limits are enforced by the kernel, not just written: a memory hog is
// OOM-killed, a fork bomb stops at pids.max, device rules refuse opens,
// and an update changes limits of a running group.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <vector>

#include "base/file.hpp"
#include "helpers.hpp"
#include "support/root.hpp"

namespace berth::cgroups::testing {
namespace {

std::string read_trimmed(const std::string& path) {
  auto text = read_file(path);
  if (!text) return "<" + text.error().to_string() + ">";
  while (!text->empty() && text->back() == '\n') text->pop_back();
  return *text;
}

TEST(CgroupLimits, MemoryHogIsOomKilled) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("oom"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.memory.emplace();
  r.memory->limit = 32 << 20;
  r.memory->swap = 32 << 20;
  ASSERT_TRUE(group->apply(r)) << "apply";
  GatedChild hog([] {
    for (int i = 0; i < 512; ++i) {
      void* p = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return 2;
      std::memset(p, 0xa5, 1 << 20);
    }
    return 0;  // survived 512 MiB: the limit did nothing
  });
  ASSERT_TRUE(group->add_process(hog.pid()));
  hog.release();
  auto status = hog.owned().wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGKILL) << "exit code " << status->code;
  auto stats = group->stats();
  ASSERT_TRUE(stats) << stats.error().to_string();
  EXPECT_GE(stats->memory.oom_kill, 1u);
  EXPECT_EQ(stats->memory.limit, 32u << 20);
}

TEST(CgroupLimits, ForkBombStopsAtPidsMax) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("pids"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.pids_limit = 10;
  ASSERT_TRUE(group->apply(r));
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  int write_fd = pipe->write.get();
  GatedChild bomb([write_fd] {
    int made = 0, err = 0;
    for (int i = 0; i < 200; ++i) {
      pid_t p = ::fork();
      if (p == 0) {
        ::pause();
        ::_exit(0);
      }
      if (p < 0) {
        err = errno;
        break;
      }
      ++made;
    }
    int out[2] = {made, err};
    return ::write(write_fd, out, sizeof out) == sizeof out ? 0 : 3;
  });
  pipe->write.reset();
  ASSERT_TRUE(group->add_process(bomb.pid()));
  bomb.release();
  int result[2] = {-1, -1};
  ASSERT_EQ(::read(pipe->read.get(), result, sizeof result), static_cast<ssize_t>(sizeof result));
  EXPECT_EQ(result[0], 9) << "forks that succeeded (the bomb itself is the 10th task)";
  EXPECT_EQ(result[1], EAGAIN);
  auto stats = group->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->pids.limit, 10u);
  EXPECT_LE(stats->pids.current, 10u);
}

TEST(CgroupLimits, DeviceRulesRefuseOpens) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("dev"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.devices = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}, {true, 'c', 1, 5, "r"}};
  ASSERT_TRUE(group->apply(r));
  EXPECT_EQ(read_trimmed(group->paths().at("devices") + "/devices.list"), "c 1:3 rwm\nc 1:5 r");
  GatedChild child([] {
    int result = 0;
    int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) result |= 1, ::close(fd);
    fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) result |= 2, ::close(fd);
    fd = ::open("/dev/zero", O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == EPERM) result |= 4;
    fd = ::open("/dev/full", O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == EPERM) result |= 8;
    return result;
  });
  ASSERT_TRUE(group->add_process(child.pid()));
  child.release();
  auto status = child.owned().wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 15) << "bits: 1 null rw, 2 zero r, 4 zero w refused, 8 full refused";
}

TEST(CgroupLimits, UpdateChangesLimitsLive) {
  BERTH_REQUIRE_ROOT();
  TestGroup group(relative_options("upd"));
  ASSERT_TRUE(group.ok());
  Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 20000;
  r.cpu->period = 100000;
  r.pids_limit = 50;
  ASSERT_TRUE(group->apply(r));
  GatedChild sleeper([] {
    ::pause();
    return 0;
  });
  ASSERT_TRUE(group->add_process(sleeper.pid()));
  sleeper.release();

  Resources update;
  update.memory.emplace();
  update.memory->limit = 128 << 20;
  update.memory->swap = 256 << 20;
  update.cpu.emplace();
  update.cpu->quota = 50000;
  update.cpu->period = 50000;
  update.cpu->cpus = "0";
  update.pids_limit = 0;  // unlimited
  ASSERT_TRUE(group->apply(update)) << group->apply(update).error().to_string();
  auto paths = group->paths();
  EXPECT_EQ(read_trimmed(paths.at("memory") + "/memory.limit_in_bytes"), std::to_string(128 << 20));
  EXPECT_EQ(read_trimmed(paths.at("memory") + "/memory.memsw.limit_in_bytes"),
            std::to_string(256 << 20));
  EXPECT_EQ(read_trimmed(paths.at("cpu") + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(read_trimmed(paths.at("cpu") + "/cpu.cfs_period_us"), "50000");
  EXPECT_EQ(read_trimmed(paths.at("cpu") + "/cpu.shares"), "512");
  EXPECT_EQ(read_trimmed(paths.at("cpuset") + "/cpuset.cpus"), "0");
  EXPECT_EQ(read_trimmed(paths.at("pids") + "/pids.max"), "max");

  // Shrinking memory below memsw's old value needs the limit written first.
  Resources shrink;
  shrink.memory.emplace();
  shrink.memory->limit = 48 << 20;
  shrink.memory->swap = 48 << 20;
  ASSERT_TRUE(group->apply(shrink));
  EXPECT_EQ(read_trimmed(paths.at("memory") + "/memory.memsw.limit_in_bytes"),
            std::to_string(48 << 20));

  // A limit below current usage is refused when the caller asks to check.
  Resources too_small;
  too_small.memory.emplace();
  too_small.memory->limit = 4096;
  too_small.memory->check_before_update = true;
  GatedChild user([] {
    std::vector<char> block(8 << 20, 1);
    ::pause();
    return static_cast<int>(block[100]);
  });
  ASSERT_TRUE(group->add_process(user.pid()));
  user.release();
  for (int i = 0; i < 200; ++i) {
    auto s = group->stats();
    if (s && s->memory.usage > (4 << 20)) break;
    ::usleep(5000);
  }
  auto refused = group->apply(too_small);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(ErrorCategory::Conflict)) << refused.error().to_string();
}

}  // namespace
}  // namespace berth::cgroups::testing
