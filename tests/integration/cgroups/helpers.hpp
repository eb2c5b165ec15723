// Shared pieces of the cgroup integration tests: a test group that is
// always removed (its processes killed first), and children that wait for
// a go signal, so they can be placed in a group before they do anything.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/owned_pid.hpp"
#include "base/unique_fd.hpp"
#include "runtime/cgroups/cgroup.hpp"

namespace berth::cgroups::testing {

// A unique name per test and process, so parallel runs never collide.
inline std::string unique_name(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "berth-it-" + std::to_string(::getpid()) + "-" + tag + "-" + std::to_string(counter++);
}

// A child that blocks until release(), then runs `body` and exits with
// its return value.
class GatedChild {
 public:
  explicit GatedChild(const std::function<int()>& body);
  pid_t pid() const { return pid_.pid(); }
  void release();
  OwnedPid& owned() { return pid_; }

 private:
  OwnedPid pid_;
  UniqueFd gate_;
};

// A group made for one test; the destructor kills whatever is left in it
// and removes it in every hierarchy, even when the test failed halfway.
class TestGroup {
 public:
  explicit TestGroup(ManagerOptions options);
  ~TestGroup();
  Manager& operator*() { return *manager_; }
  Manager* operator->() { return manager_.get(); }
  bool ok() const { return manager_ != nullptr; }

 private:
  std::unique_ptr<Manager> manager_;
};

ManagerOptions relative_options(const std::string& tag);

// CPU time this process has used.
std::chrono::nanoseconds cpu_time();
// Spins in user space until this process has used `amount` of CPU.
void burn_cpu(std::chrono::nanoseconds amount);
// /proc/<pid>/stat's state letter ('R', 'S', 'D', 'Z', ...).
char process_state(pid_t pid);
bool dir_exists(const std::string& path);

}  // namespace berth::cgroups::testing
