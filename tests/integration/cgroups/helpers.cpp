#include "helpers.hpp"

#include <sys/stat.h>
#include <time.h>

#include "base/file.hpp"

namespace berth::cgroups::testing {

GatedChild::GatedChild(const std::function<int()>& body) {
  auto pipe = make_pipe();
  if (!pipe) throw std::runtime_error("pipe: " + pipe.error().to_string());
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    pipe->write.reset();
    char c;
    if (::read(pipe->read.get(), &c, 1) != 1) ::_exit(120);
    ::_exit(body());
  }
  pipe->read.reset();
  gate_ = std::move(pipe->write);
  auto owned = OwnedPid::adopt(pid);
  if (!owned) throw std::runtime_error("pidfd: " + owned.error().to_string());
  pid_ = std::move(*owned);
}

void GatedChild::release() {
  char c = 'g';
  if (::write(gate_.get(), &c, 1) != 1) ADD_FAILURE() << "cannot release child";
  gate_.reset();
}

TestGroup::TestGroup(ManagerOptions options) {
  auto m = make_manager(options);
  if (!m) {
    ADD_FAILURE() << "make_manager: " << m.error().to_string();
    return;
  }
  manager_ = std::move(*m);
  if (auto r = manager_->create(); !r) {
    ADD_FAILURE() << "create: " << r.error().to_string();
  }
}

TestGroup::~TestGroup() {
  if (!manager_) return;
  (void)manager_->freeze(FreezerState::Thawed);
  (void)manager_->signal_all(SIGKILL);
  if (auto r = manager_->destroy(); !r) ADD_FAILURE() << "cleanup: " << r.error().to_string();
  for (const auto& [controller, path] : manager_->paths()) {
    if (dir_exists(path)) ADD_FAILURE() << "left behind: " << path;
  }
}

ManagerOptions relative_options(const std::string& tag) {
  ManagerOptions o;
  o.cgroups_path = unique_name(tag);  // relative: below our own cgroup, as runc does
  return o;
}

std::chrono::nanoseconds cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

void burn_cpu(std::chrono::nanoseconds amount) {
  volatile uint64_t x = 0;
  while (cpu_time() < amount) {
    for (int i = 0; i < (1 << 20); ++i) x = x + 1;
  }
}

char process_state(pid_t pid) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return '?';
  auto close = text->rfind(')');
  return close == std::string::npos || close + 2 >= text->size() ? '?' : (*text)[close + 2];
}

bool dir_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace berth::cgroups::testing
