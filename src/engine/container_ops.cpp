// HostContainerService: top, stats, pause/unpause and rename. Processes and
// cgroup numbers come from the runtime library's view of the container
// (its state in the runtime root, its cgroup manager), never from tools.
#include <pwd.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_network.hpp"
#include "engine/container_service.hpp"
#include "engine/container_store.hpp"
#include "oci/image_config.hpp"
#include "runtime/runtime.hpp"

namespace berth::engine {
namespace {

Unexpected not_running(const std::string& id) {
  return make_error(ErrorCategory::Conflict, "Container " + id + " is not running");
}

// The fields of /proc/<pid>/stat after the command name.
struct ProcStat {
  int64_t ppid = 0, tty = 0;
  uint64_t utime = 0, stime = 0, start = 0;
};

Result<ProcStat> proc_stat(pid_t pid) {
  auto text = TRY(read_file("/proc/" + std::to_string(pid) + "/stat", 4096));
  auto close = text.rfind(')');
  if (close == std::string::npos) return make_error(ErrorCategory::Internal, "bad /proc stat");
  auto f = split(text.substr(close + 2), ' ');  // f[0] is field 3 (state)
  if (f.size() < 20) return make_error(ErrorCategory::Internal, "short /proc stat");
  ProcStat s;
  s.ppid = parse_int<int64_t>(f[1]).value_or(0);
  s.tty = parse_int<int64_t>(f[4]).value_or(0);
  s.utime = parse_int<uint64_t>(f[11]).value_or(0);
  s.stime = parse_int<uint64_t>(f[12]).value_or(0);
  s.start = parse_int<uint64_t>(f[19]).value_or(0);
  return s;
}

std::string user_name(pid_t pid) {
  auto status = read_file("/proc/" + std::to_string(pid) + "/status", 65536);
  if (!status) return "?";
  for (const auto& line : split(*status, '\n')) {
    if (!line.starts_with("Uid:")) continue;
    auto fields = split(std::string(trim(line.substr(4))), '\t');
    uint32_t uid = fields.empty() ? 0 : parse_int<uint32_t>(trim(fields[0])).value_or(0);
    passwd pw{}, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
    return std::to_string(uid);
  }
  return "?";
}

std::string command_line(pid_t pid) {
  auto raw = read_file("/proc/" + std::to_string(pid) + "/cmdline", 1u << 16);
  std::string cmd = raw ? *raw : "";
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  for (char& ch : cmd)
    if (ch == '\0') ch = ' ';
  if (!cmd.empty()) return cmd;
  auto comm = read_file("/proc/" + std::to_string(pid) + "/comm", 256);
  return "[" + std::string(comm ? trim(*comm) : "?") + "]";
}

std::string tty_name(int64_t nr) {
  if (nr == 0) return "?";
  int64_t major = (nr >> 8) & 0xfff, minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string(minor + (major - 136) * 256);
  if (major == 4) return "tty" + std::to_string(minor);
  return "?";
}

uint64_t boot_time() {
  auto text = read_file("/proc/stat", 1u << 20);
  if (!text) return 0;
  for (const auto& line : split(*text, '\n'))
    if (line.starts_with("btime ")) return parse_int<uint64_t>(trim(line.substr(6))).value_or(0);
  return 0;
}

// ps -ef's columns: UID PID PPID C STIME TTY TIME CMD.
std::vector<std::string> ps_row(pid_t pid, uint64_t btime, long ticks, time_t now) {
  auto st = proc_stat(pid);
  if (!st) return {};
  uint64_t cpu_s = (st->utime + st->stime) / static_cast<uint64_t>(ticks);
  time_t started = static_cast<time_t>(btime + st->start / static_cast<uint64_t>(ticks));
  int64_t elapsed = now > started ? now - started : 1;
  char stime[32], cpu[32];
  tm t{};
  ::localtime_r(&started, &t);
  std::strftime(stime, sizeof stime, now - started < 24 * 3600 ? "%H:%M" : "%b%d", &t);
  std::snprintf(cpu, sizeof cpu, "%02llu:%02llu:%02llu", static_cast<unsigned long long>(cpu_s / 3600),
                static_cast<unsigned long long>(cpu_s / 60 % 60), static_cast<unsigned long long>(cpu_s % 60));
  int64_t c = static_cast<int64_t>((st->utime + st->stime) * 100 / static_cast<uint64_t>(ticks)) / elapsed;
  return {user_name(pid), std::to_string(pid), std::to_string(st->ppid), std::to_string(c), stime,
          tty_name(st->tty), cpu, command_line(pid)};
}

uint64_t system_cpu_ns() {
  auto text = read_file("/proc/stat", 1u << 20);
  if (!text) return 0;
  auto first = split(text->substr(0, text->find('\n')), ' ');
  uint64_t total = 0;
  // "cpu  user nice system idle iowait irq softirq steal ..."; guest time
  // is already part of user.
  for (size_t i = 1, n = 0; i < first.size() && n < 8; ++i) {
    if (first[i].empty()) continue;
    total += parse_int<uint64_t>(first[i]).value_or(0);
    ++n;
  }
  return total * (1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK)));
}

}  // namespace

Result<TopResult> HostContainerService::top(const std::string& ref, const std::string& ps_args) {
  std::string args(trim(ps_args));
  if (!args.empty() && args != "-ef" && args != "-e -f" && args != "ef" && args != "-f -e")
    return make_error(ErrorCategory::InvalidArgument,
                      "ps_args \"" + args + "\" is not supported: berthd lists processes itself (ps -ef columns)");
  auto e = TRY(find(ref));
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (!e->c.state.running()) return not_running(e->c.id);
    id = e->c.id;
  }
  runtime::Context ctx;
  ctx.root = runtime_root_;
  auto pids = TRY_CTX(runtime::pids(ctx, id), "list container processes");
  TopResult r;
  r.titles = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
  uint64_t btime = boot_time();
  long ticks = ::sysconf(_SC_CLK_TCK);
  time_t now = std::time(nullptr);
  for (pid_t pid : pids)
    if (auto row = ps_row(pid, btime, ticks, now); !row.empty()) r.processes.push_back(std::move(row));
  return r;
}

Result<StatsSample> HostContainerService::stats(const std::string& ref) {
  auto e = TRY(find(ref));
  std::string id;
  bool running;
  {
    std::lock_guard lock(mu_);
    running = e->c.state.running() && e->monitor_ready;
    id = e->c.id;
  }
  StatsSample s;
  s.read = kZeroTime;
  struct sysinfo si{};
  if (::sysinfo(&si) == 0) s.host_memory = static_cast<uint64_t>(si.totalram) * si.mem_unit;
  s.online_cpus = static_cast<uint32_t>(::sysconf(_SC_NPROCESSORS_ONLN));
  if (!running) return s;
  runtime::Context ctx;
  ctx.root = runtime_root_;
  auto cg = runtime::stats(ctx, id);
  if (!cg) {
    // The container may have exited between the check and the read.
    if (cg.error().category() == ErrorCategory::NotFound) return s;
    return tl::unexpected(cg.error());
  }
  s.cgroup = std::move(*cg);
  s.system_cpu_ns = system_cpu_ns();
  s.read = oci::rfc3339_now();
  return s;
}

Result<> HostContainerService::pause(const std::string& ref) {
  auto e = TRY(find(ref));
  std::lock_guard lock(mu_);
  if (!e->c.state.running()) return not_running(e->c.id);
  if (e->c.state.paused) return make_error(ErrorCategory::Conflict, "Container " + e->c.id + " is already paused");
  runtime::Context ctx;
  ctx.root = runtime_root_;
  TRY_CTX(runtime::pause(ctx, e->c.id), "pause container " + e->c.id);
  e->c.state.paused = true;
  persist(*e);
  e->changed();
  publish(e->c, "pause");
  return ok();
}

Result<> HostContainerService::unpause(const std::string& ref) {
  auto e = TRY(find(ref));
  std::lock_guard lock(mu_);
  if (!e->c.state.running() || !e->c.state.paused)
    return make_error(ErrorCategory::Conflict, "Container " + e->c.id + " is not paused");
  runtime::Context ctx;
  ctx.root = runtime_root_;
  TRY_CTX(runtime::resume(ctx, e->c.id), "unpause container " + e->c.id);
  e->c.state.paused = false;
  persist(*e);
  e->changed();
  publish(e->c, "unpause");
  return ok();
}

void HostContainerService::thaw_killed(Entry& e) {
  std::lock_guard lock(mu_);
  if (!e.c.state.paused) return;
  runtime::Context ctx;
  ctx.root = runtime_root_;
  if (auto r = runtime::resume(ctx, e.c.id); !r) return;
  e.c.state.paused = false;
  persist(e);
  publish(e.c, "unpause");
}

Result<> HostContainerService::rename(const std::string& ref, const std::string& new_name) {
  if (new_name.empty() || new_name == "/")
    return make_error(ErrorCategory::InvalidArgument, "Neither old nor new names may be empty");
  std::string wanted = TRY(validate_container_name(new_name));
  auto e = TRY(find(ref));
  std::unique_lock lock(mu_);
  std::string old = e->c.name;
  if (old == wanted)
    return make_error(ErrorCategory::InvalidArgument, "Renaming a container with the same name as its current name");
  if (auto it = names_.find(wanted); it != names_.end())
    return make_error(ErrorCategory::Conflict,
                      "Error when allocating new name: Conflict. The container name \"/" + wanted +
                          "\" is already in use by container \"" + it->second +
                          "\". You have to remove (or rename) that container to be able to reuse that name.");
  e->c.name = wanted;
  {
    std::lock_guard db_lock(db_mu_);
    if (auto r = save_container_state(*o_.stores->db, e->c); !r) {
      e->c.name = old;
      return r;
    }
  }
  names_.erase(old);
  names_[wanted] = e->c.id;
  e->changed();
  Container renamed = e->c;
  lock.unlock();
  // Outside the lock: the network manager's DNS records follow the name.
  if (o_.network) o_.network->renamed(renamed);
  publish(renamed, "rename", {{"oldName", "/" + old}});
  return ok();
}

}  // namespace berth::engine
