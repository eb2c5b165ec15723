// Helpers shared by integration tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

// Integration tests need root and the real kernel; elsewhere they skip.
#define BERTH_REQUIRE_ROOT()                                   \
  do {                                                         \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";        \
  } while (0)
