#include "engine/container_restart.hpp"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

TEST(RestartPolicy, DecidesLikeDockerd) {
  EXPECT_FALSE(should_restart("", 0, 1, 0, false));
  EXPECT_FALSE(should_restart("no", 0, 1, 0, false));
  EXPECT_TRUE(should_restart("always", 0, 0, 100, true));
  EXPECT_TRUE(should_restart("unless-stopped", 0, 0, 0, false));
  EXPECT_FALSE(should_restart("unless-stopped", 0, 0, 0, true));
  EXPECT_FALSE(should_restart("on-failure", 0, 0, 0, false));  // success
  EXPECT_TRUE(should_restart("on-failure", 0, 1, 1000, false));  // no maximum
  EXPECT_TRUE(should_restart("on-failure", 2, 3, 1, false));
  EXPECT_FALSE(should_restart("on-failure", 2, 3, 2, false));  // retries used up
}

TEST(RestartPolicy, BackoffDoublesToAMinuteAndResetsAfterALongRun) {
  EXPECT_EQ(next_restart_delay_ms(0, 0), 100);
  EXPECT_EQ(next_restart_delay_ms(100, 50), 200);
  EXPECT_EQ(next_restart_delay_ms(200, 50), 400);
  EXPECT_EQ(next_restart_delay_ms(51200, 50), 60000);
  EXPECT_EQ(next_restart_delay_ms(60000, 50), 60000);
  EXPECT_EQ(next_restart_delay_ms(60000, 10000), 100);
}

}  // namespace
}  // namespace berth::engine
