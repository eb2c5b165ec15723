#include "store/db.hpp"

#include <utility>

namespace berth::store {

namespace {

ErrorCategory category_for_sqlite(int code) {
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT: return ErrorCategory::Conflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_NOMEM: return ErrorCategory::Unavailable;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY: return ErrorCategory::PermissionDenied;
    default: return ErrorCategory::Internal;
  }
}

}  // namespace

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::move(other.bind_error_)),
      bind_failed_(other.bind_failed_) {}

Stmt& Stmt::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !bind_failed_) {
    bind_failed_ = true;
    bind_error_ = Error(ErrorCategory::Internal, std::string("bind: ") + sqlite3_errmsg(db_));
  }
  return *this;
}

Stmt& Stmt::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK && !bind_failed_) {
    bind_failed_ = true;
    bind_error_ = Error(ErrorCategory::Internal, std::string("bind: ") + sqlite3_errmsg(db_));
  }
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_failed_) return tl::unexpected(bind_error_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(category_for_sqlite(sqlite3_extended_errcode(db_)),
                    std::string("sqlite: ") + sqlite3_errmsg(db_));
}

Result<> Stmt::run() {
  while (TRY(step())) {
  }
  return ok();
}

std::string Stmt::text(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!p) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Stmt::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Stmt::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::shared_ptr<Db>> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return make_error(category_for_sqlite(rc), "open database " + path + ": " + msg);
  }
  std::shared_ptr<Db> db(new Db(raw, path));
  sqlite3_busy_timeout(raw, 5000);
  // WAL: readers never block the writer; synchronous=NORMAL is durable
  // against process crashes and keeps the old-or-new guarantee on power
  // loss (the last commits may roll back, never tear).
  TRY_CTX(db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                   "PRAGMA foreign_keys=ON;"),
          "open database " + path);
  TRY_CTX(db->exec("CREATE TABLE IF NOT EXISTS schema_versions ("
                   " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"),
          "open database " + path);
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Unexpected Db::error(std::string_view what) const {
  return make_error(category_for_sqlite(sqlite3_extended_errcode(db_)),
                    std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<> Db::exec(std::string_view sql) {
  std::string text(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return make_error(category_for_sqlite(rc), "sqlite: " + m);
  }
  return ok();
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return error("prepare");
  return Stmt(db_, stmt);
}

Result<> Db::transaction(const std::function<Result<>()>& fn) {
  std::string sp = "sp" + std::to_string(depth_);
  TRY(exec(depth_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + sp));
  ++depth_;
  auto result = fn();
  --depth_;
  if (!result) {
    if (depth_ == 0)
      (void)exec("ROLLBACK");
    else
      (void)exec("ROLLBACK TO " + sp + "; RELEASE " + sp);
    return result;
  }
  auto done = exec(depth_ == 0 ? std::string("COMMIT") : "RELEASE " + sp);
  if (!done && depth_ == 0) (void)exec("ROLLBACK");
  return done;
}

Result<int> Db::schema_version(const std::string& component) {
  auto stmt = TRY(prepare("SELECT version FROM schema_versions WHERE component = ?"));
  stmt.bind(1, component);
  if (!TRY(stmt.step())) return 0;
  return static_cast<int>(stmt.integer(0));
}

Result<> Db::migrate(const std::string& component, const std::vector<Migration>& migrations) {
  int current = TRY(schema_version(component));
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    TRY_CTX(transaction([&]() -> Result<> {
              TRY(exec(m.sql));
              auto up = TRY(prepare("INSERT INTO schema_versions(component, version) VALUES(?, ?)"
                                    " ON CONFLICT(component) DO UPDATE SET version = excluded.version"));
              up.bind_all(component, m.version);
              return up.run();
            }),
            "migrate " + component + " to version " + std::to_string(m.version));
    current = m.version;
  }
  return ok();
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

}  // namespace berth::store
