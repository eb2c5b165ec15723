#include "image/leases.hpp"

#include <unistd.h>

#include <ctime>
#include <random>

#include "base/file.hpp"

namespace berth::image {

std::string_view lease_kind_name(LeaseKind kind) {
  switch (kind) {
    case LeaseKind::Content: return "content";
    case LeaseKind::Snapshot: return "snapshot";
    case LeaseKind::Image: return "image";
  }
  return "content";
}

namespace {

// The start time of `pid` (clock ticks since boot, /proc/<pid>/stat field
// 22): with the pid it names one process, immune to pid reuse. 0 if gone.
int64_t start_time(pid_t pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return 0;
  auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after the command: state is field 3, starttime field 22.
  size_t pos = close + 2;
  for (int field = 3; field < 22 && pos != std::string::npos; ++field) pos = stat->find(' ', pos) + 1;
  return pos == std::string::npos ? 0 : std::strtoll(stat->c_str() + pos, nullptr, 10);
}

}  // namespace

Result<int> Leases::drop_orphaned() {
  auto st = TRY(db_->prepare("SELECT id, owner_pid, owner_start FROM leases WHERE owner_pid IS NOT NULL"));
  std::vector<std::string> dead;
  while (TRY(st.step()))
    if (start_time(static_cast<pid_t>(st.integer(1))) != st.integer(2)) dead.push_back(st.text(0));
  for (const auto& id : dead) TRY(remove(id));
  return static_cast<int>(dead.size());
}

Result<std::string> Leases::create(std::string id, bool owned_by_this_process) {
  if (id.empty()) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[40];
    std::snprintf(buf, sizeof buf, "lease-%016llx", static_cast<unsigned long long>(rng()));
    id = buf;
  }
  auto stmt = TRY(db_->prepare(
      "INSERT INTO leases(id, created, owner_pid, owner_start) VALUES(?, ?, ?, ?)"));
  stmt.bind_all(id, static_cast<int64_t>(::time(nullptr)));
  if (owned_by_this_process) {
    stmt.bind(3, static_cast<int64_t>(::getpid())).bind(4, start_time(::getpid()));
  } else {
    stmt.bind_null(3).bind_null(4);
  }
  TRY_CTX(stmt.run(), "create lease " + id);
  return id;
}

Result<> Leases::add(const std::string& lease, LeaseKind kind, const std::string& name) {
  auto stmt = TRY(db_->prepare(
      "INSERT OR IGNORE INTO lease_resources(lease_id, kind, name) VALUES(?, ?, ?)"));
  stmt.bind_all(lease, lease_kind_name(kind), name);
  TRY_CTX(stmt.run(), "lease " + lease + " add " + name);
  return ok();
}

Result<> Leases::remove(const std::string& lease) {
  auto stmt = TRY(db_->prepare("DELETE FROM leases WHERE id = ?"));
  stmt.bind_all(lease);
  TRY(stmt.run());
  if (db_->changes() == 0) return make_error(ErrorCategory::NotFound, "no lease " + lease);
  return ok();
}

Result<std::set<std::string>> Leases::held(LeaseKind kind) {
  auto stmt = TRY(db_->prepare("SELECT DISTINCT name FROM lease_resources WHERE kind = ?"));
  stmt.bind_all(lease_kind_name(kind));
  std::set<std::string> out;
  while (TRY(stmt.step())) out.insert(stmt.text(0));
  return out;
}

Result<bool> Leases::is_held(LeaseKind kind, const std::string& name) {
  auto stmt = TRY(db_->prepare("SELECT 1 FROM lease_resources WHERE kind = ? AND name = ? LIMIT 1"));
  stmt.bind_all(lease_kind_name(kind), name);
  return TRY(stmt.step());
}

}  // namespace berth::image
