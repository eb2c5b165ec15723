// Notifier: wakes a coroutine from any thread. The event bus (or a log
// follower, a stats ticker) calls wake(); the streaming handler awaits
// wait() on its strand. Wakes are not lost: one that arrives while nobody
// waits makes the next wait() return at once.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace berth::api {

class Notifier : public std::enable_shared_from_this<Notifier> {
 public:
  // `executor` must be the strand of the coroutine that waits.
  static std::shared_ptr<Notifier> create(boost::asio::any_io_executor executor);

  void wake();
  boost::asio::awaitable<void> wait();

 private:
  explicit Notifier(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
  boost::asio::steady_timer timer_;
  bool pending_ = false;  // only touched on the strand
};

}  // namespace berth::api
