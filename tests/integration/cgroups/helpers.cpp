#include "helpers.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "base/file.hpp"
#include "base/strings.hpp"

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

ManagerOptions test_options(const std::string& tag) {
  ManagerOptions o;
  // Absolute, so the tests make nothing inside the groups of whatever
  // started them; relative placement has its own test.
  o.cgroups_path = "/" + unique_name(tag);
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

namespace {

// Creating a v2 group enables the available controllers (here: hugetlb)
// in the mount root's subtree_control. The test binary runs as several
// processes at once under ctest -j, so the first one in records the
// root's setting and the last one out restores it, counted in a state
// file under a lock.
class RestoreRootDelegation : public ::testing::Environment {
 public:
  void SetUp() override {
    update([](int& count, std::string& before) {
      if (count++ == 0) before = current();
    });
  }
  void TearDown() override {
    update([](int& count, std::string& before) {
      if (--count > 0) return;
      for (const auto& c : split(current(), ' ')) {
        if (!c.empty() && (" " + before + " ").find(" " + c + " ") == std::string::npos)
          (void)write_knob(kControl, "-" + c);
      }
    });
  }

 private:
  static constexpr const char* kControl = "/sys/fs/cgroup/unified/cgroup.subtree_control";
  static constexpr const char* kState = "/run/berth-cgroups-it.state";

  static std::string current() {
    auto text = read_file(kControl);
    return text ? std::string(trim(*text)) : "";
  }

  // The state file holds "<count>\n<root setting before>".
  template <typename F>
  void update(F&& change) {
    if (::geteuid() != 0 || ::access(kControl, F_OK) != 0) return;
    auto fd = open_file(kState, O_RDWR | O_CREAT, 0600);
    if (!fd || ::flock(fd->get(), LOCK_EX) != 0) return;
    auto text = read_fd(fd->get());
    // Named: split_once returns views into it (a temporary would dangle).
    std::string content = text ? *text : std::string();
    auto [count_text, before, found] = split_once(content, '\n');
    int count = parse_int<int>(count_text).value_or(0);
    std::string before_str(before);
    change(count, before_str);
    if (count <= 0) {
      ::unlink(kState);
    } else {
      std::string out = std::to_string(count) + "\n" + before_str;
      if (::ftruncate(fd->get(), 0) == 0 && ::lseek(fd->get(), 0, SEEK_SET) == 0)
        (void)write_all(fd->get(), out);
    }
  }
};

[[maybe_unused]] auto* const kRestore =
    ::testing::AddGlobalTestEnvironment(new RestoreRootDelegation);

}  // namespace

}  // namespace berth::cgroups::testing
