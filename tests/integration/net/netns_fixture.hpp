// Test namespaces: every integration test plays "the host" inside a network
// namespace it creates, so nothing touches the machine's real network.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "base/file.hpp"
#include "net/netns.hpp"

namespace berth::net::testing {

// A bind-mounted namespace under /run/berth-test/netns, removed on drop.
class TestNetns {
 public:
  explicit TestNetns(const std::string& tag) {
    static std::atomic<int> counter{0};
    (void)make_dirs("/run/berth-test/netns");
    path_ = "/run/berth-test/netns/" + tag + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++);
    auto made = create_netns_file(path_);
    if (!made) {
      std::fprintf(stderr, "create netns: %s\n", made.error().to_string().c_str());
      return;
    }
    fd_ = open_netns(path_).value();
  }
  ~TestNetns() {
    fd_.reset();
    (void)remove_netns_file(path_);
  }
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }
  bool ok() const { return fd_.valid(); }

 private:
  std::string path_;
  UniqueFd fd_;
};

// Runs a shell command line inside the namespace (tests may use ip, nft,
// busybox to check state); returns its stdout, exit code in *status.
inline std::string sh_in(const TestNetns& ns, const std::string& cmd, int* status = nullptr) {
  std::string full = "nsenter --net=" + ns.path() + " sh -c '" + cmd + "' 2>&1";
  std::string out;
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

}  // namespace berth::net::testing
