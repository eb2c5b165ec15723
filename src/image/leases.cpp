#include "image/leases.hpp"

#include <ctime>
#include <random>

namespace berth::image {

std::string_view lease_kind_name(LeaseKind kind) {
  switch (kind) {
    case LeaseKind::Content: return "content";
    case LeaseKind::Snapshot: return "snapshot";
    case LeaseKind::Image: return "image";
  }
  return "content";
}

Result<std::string> Leases::create(std::string id) {
  if (id.empty()) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[40];
    std::snprintf(buf, sizeof buf, "lease-%016llx", static_cast<unsigned long long>(rng()));
    id = buf;
  }
  auto stmt = TRY(db_->prepare("INSERT INTO leases(id, created) VALUES(?, ?)"));
  stmt.bind_all(id, static_cast<int64_t>(::time(nullptr)));
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
