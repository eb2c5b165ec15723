// A thread of our own that lives in one network namespace and runs
// closures there, one at a time. The network manager does all its work on
// one: host-side sockets (netlink, nftables, DNS, port probes) and
// /proc/sys/net writes then apply to the host namespace it was given,
// even in a test that plays "the host" inside a scratch namespace, and
// the daemon's own threads never call setns. It also serialises every
// network change, which IPAM and the ruleset rely on.
#pragma once

#include <sched.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

#include "base/error.hpp"

namespace berth::net {

class Worker {
 public:
  // netns_fd < 0: stay in the caller's namespace.
  static Result<std::unique_ptr<Worker>> start(int netns_fd) {
    auto w = std::unique_ptr<Worker>(new Worker());
    std::promise<Result<>> ready;
    auto started = ready.get_future();
    w->thread_ = std::thread([&w = *w, netns_fd, &ready] {
      if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) {
        ready.set_value(sys_error("worker: setns to host network namespace"));
        return;
      }
      ready.set_value(ok());
      w.run();
    });
    auto r = started.get();
    if (!r) {
      w->thread_.join();
      return tl::unexpected(std::move(r).error());
    }
    return w;
  }

  ~Worker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs fn on the worker and returns its result. Never call from the
  // worker itself (it would wait for itself).
  template <typename F>
  auto call(F&& fn) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
    auto result = task->get_future();
    {
      std::lock_guard lock(mu_);
      queue_.push_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return result.get();
  }

  bool on_worker() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  Worker() = default;
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
};

}  // namespace berth::net
