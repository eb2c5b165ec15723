#include "api/notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::api {

std::shared_ptr<Notifier> Notifier::create(boost::asio::any_io_executor executor) {
  return std::shared_ptr<Notifier>(new Notifier(std::move(executor)));
}

void Notifier::wake() {
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
    self->pending_ = true;
    self->timer_.cancel();
  });
}

boost::asio::awaitable<void> Notifier::wait() {
  if (!pending_) {
    timer_.expires_at(boost::asio::steady_timer::time_point::max());
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  pending_ = false;
}

}  // namespace berth::api
