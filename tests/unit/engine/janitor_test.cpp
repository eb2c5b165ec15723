#include "engine/janitor.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace berth::engine {
namespace {

TEST(Janitor, RunsJobsInOrderOffTheCallersThread) {
  Janitor j;
  std::vector<int> order;
  std::thread::id ran_on;
  for (int i = 0; i < 5; ++i) j.post([&, i] {
    order.push_back(i);
    ran_on = std::this_thread::get_id();
  });
  j.drain();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(Janitor, DrainWaitsForTheJobThatIsRunning) {
  Janitor j;
  std::atomic<bool> started{false}, finished{false};
  j.post([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  while (!started) std::this_thread::yield();
  j.drain();
  EXPECT_TRUE(finished);
}

TEST(Janitor, DestructorRunsWhatIsStillQueued) {
  std::atomic<int> ran{0};
  {
    Janitor j;
    j.post([&] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); ++ran; });
    for (int i = 0; i < 3; ++i) j.post([&] { ++ran; });
  }
  EXPECT_EQ(ran, 4);
}

TEST(Janitor, ItsThreadRunsAtLowerPriority) {
  Janitor j;
  int nice_there = 0;
  j.post([&] {
    nice_there = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  });
  j.drain();
  EXPECT_GE(nice_there, 10);  // 10, or more when the whole test already runs nicer
}

}  // namespace
}  // namespace berth::engine
