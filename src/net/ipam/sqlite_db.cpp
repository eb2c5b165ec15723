#include "net/ipam/sqlite_db.hpp"

#include <fmt/format.h>

namespace berth::net::sql {

namespace {
ErrorCategory category_for(int code) {
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT: return ErrorCategory::Conflict;
    case SQLITE_BUSY: case SQLITE_LOCKED: return ErrorCategory::Unavailable;
    case SQLITE_CANTOPEN: case SQLITE_PERM: case SQLITE_READONLY:
      return ErrorCategory::PermissionDenied;
    default: return ErrorCategory::Internal;
  }
}
}  // namespace

Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(category_for(rc), fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
}

Result<> Stmt::run() {
  while (TRY(step())) {
  }
  return ok();
}

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
}
int64_t Stmt::integer(int col) const { return sqlite3_column_int64(s_, col); }
bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Result<Db> Db::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  Db owner(db);
  if (rc != SQLITE_OK) return owner.error("open " + path);
  sqlite3_busy_timeout(db, 5000);
  return owner;
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Unexpected Db::error(std::string_view what) const {
  int code = db_ ? sqlite3_extended_errcode(db_) : SQLITE_CANTOPEN;
  return make_error(category_for(code),
                    fmt::format("{}: sqlite: {}", what, db_ ? sqlite3_errmsg(db_) : "no memory"));
}

Result<> Db::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return error("exec");
  return ok();
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    return error("prepare");
  return Stmt(db_, s);
}

Result<Transaction> Transaction::begin(Db& db) {
  TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<> Transaction::commit() {
  TRY(db_->exec("COMMIT"));
  db_ = nullptr;
  return ok();
}

}  // namespace berth::net::sql
