// Janitor: one low-priority thread that runs cleanup nobody waits for
// (unmounting and deleting a removed container's trees after its `removed`
// waiters were answered), so that work neither holds up the thread that
// queued it (the reaper, which has other exits to record) nor competes at
// equal priority with the requests that follow (the next `docker run`).
// Jobs run in order; the destructor runs whatever is still queued.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace berth::engine {

class Janitor {
 public:
  Janitor();
  ~Janitor();
  Janitor(const Janitor&) = delete;
  Janitor& operator=(const Janitor&) = delete;

  void post(std::function<void()> job);
  // Runs every job queued so far, then returns (shutdown; tests).
  void drain();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace berth::engine
