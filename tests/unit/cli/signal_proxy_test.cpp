#include "cli/signal_proxy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace berth::cli {
namespace {

bool contains(const std::vector<int>& v, int s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(SignalProxy, CatchesWhatDockerForwards) {
  auto sigs = proxied_signals();
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGWINCH, SIGCONT, SIGTSTP})
    EXPECT_TRUE(contains(sigs, s)) << s;
  EXPECT_TRUE(contains(sigs, SIGRTMIN + 1));
  for (int s : {SIGKILL, SIGSTOP, SIGCHLD, SIGPIPE, SIGURG, SIGSEGV, SIGBUS, SIGFPE, SIGILL, 32, 33})
    EXPECT_FALSE(contains(sigs, s)) << s;
}

TEST(SignalProxy, NamesAsTheKillQueryTakesThem) {
  EXPECT_EQ(signal_name(SIGUSR1), "USR1");
  EXPECT_EQ(signal_name(SIGTERM), "TERM");
  EXPECT_EQ(signal_name(SIGHUP), "HUP");
  EXPECT_EQ(signal_name(SIGRTMIN + 2), std::to_string(SIGRTMIN + 2));
}

TEST(SignalProxy, ForwardsCaughtSignalsInOrder) {
  std::vector<int> got;
  {
    SignalProxy proxy([&](int s) { got.push_back(s); });
    ASSERT_GE(proxy.fd(), 0);
    ::raise(SIGUSR1);
    ::raise(SIGHUP);
    ::raise(SIGUSR2);
    proxy.dispatch();
    EXPECT_FALSE(proxy.forced());
  }
  EXPECT_EQ(got, (std::vector<int>{SIGUSR1, SIGHUP, SIGUSR2}));
  // The previous dispositions are back.
  struct sigaction now {};
  ::sigaction(SIGUSR1, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST(SignalProxy, ThirdInterruptForcesAnExitEvenWithoutForwarding) {
  SignalProxy proxy(nullptr);
  ::raise(SIGINT);
  ::raise(SIGTERM);
  proxy.dispatch();
  EXPECT_FALSE(proxy.forced());
  ::raise(SIGINT);
  proxy.dispatch();
  EXPECT_TRUE(proxy.forced());
}

}  // namespace
}  // namespace berth::cli
