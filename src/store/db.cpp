#include "store/db.hpp"

#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

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

struct Db::Shared {
  std::string path;
  bool memory = false;
  std::mutex mu;  // guards conns
  std::unordered_map<std::thread::id, Conn> conns;
  std::mutex write_mu;  // held by the thread in an outermost transaction

  ~Shared() {
    for (auto& [id, c] : conns) sqlite3_close_v2(c.db);
  }
  void drop_thread(std::thread::id id) {
    std::lock_guard lock(mu);
    if (auto it = conns.find(id); it != conns.end()) {
      sqlite3_close_v2(it->second.db);
      conns.erase(it);
    }
  }
};

namespace {

// Closes this thread's connections when it ends (request threads come
// and go; their connections must not pile up).
struct ThreadConns {
  std::vector<std::weak_ptr<Db::Shared>> dbs;
  ~ThreadConns() {
    for (auto& w : dbs)
      if (auto s = w.lock()) s->drop_thread(std::this_thread::get_id());
  }
  void add(const std::shared_ptr<Db::Shared>& s) {
    std::erase_if(dbs, [](const auto& w) { return w.expired(); });
    dbs.push_back(s);
  }
};
thread_local ThreadConns thread_conns;

Result<sqlite3*> open_connection(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return make_error(category_for_sqlite(rc), "open database " + path + ": " + msg);
  }
  // Other processes (berth-image-tool beside berthd) wait this long.
  sqlite3_busy_timeout(raw, 5000);
  // synchronous=NORMAL in WAL mode is durable against process crashes
  // and keeps the old-or-new guarantee on power loss (the last commits
  // may roll back, never tear). Both are per connection.
  char* msg = nullptr;
  rc = sqlite3_exec(raw, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    sqlite3_close(raw);
    return make_error(category_for_sqlite(rc), "open database " + path + ": " + m);
  }
  return raw;
}

}  // namespace

Result<std::shared_ptr<Db>> Db::open(const std::string& path) {
  auto shared = std::make_shared<Shared>();
  shared->path = path;
  shared->memory = path == ":memory:";
  std::shared_ptr<Db> db(new Db(shared));
  // WAL (persistent in the file): readers never block the writer.
  TRY_CTX(db->exec("PRAGMA journal_mode=WAL"), "open database " + path);
  TRY_CTX(db->exec("CREATE TABLE IF NOT EXISTS schema_versions ("
                   " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"),
          "open database " + path);
  return db;
}

Db::~Db() = default;

Result<Db::Conn*> Db::conn() {
  auto id = shared_->memory ? std::thread::id() : std::this_thread::get_id();
  {
    std::lock_guard lock(shared_->mu);
    if (auto it = shared_->conns.find(id); it != shared_->conns.end()) return &it->second;
  }
  auto raw = TRY(open_connection(shared_->path));
  std::lock_guard lock(shared_->mu);
  auto& c = shared_->conns[id];  // node-based: the address stays valid
  c.db = raw;
  if (!shared_->memory) thread_conns.add(shared_);
  return &c;
}

const std::string& Db::path() const { return shared_->path; }

Unexpected Db::error(sqlite3* db, std::string_view what) {
  return make_error(category_for_sqlite(sqlite3_extended_errcode(db)),
                    std::string(what) + ": " + sqlite3_errmsg(db));
}

Result<> Db::exec(std::string_view sql) {
  auto* c = TRY(conn());
  std::string text(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(c->db, text.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return make_error(category_for_sqlite(rc), "sqlite: " + m);
  }
  return ok();
}

Result<Stmt> Db::prepare(std::string_view sql) {
  auto* c = TRY(conn());
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(c->db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK)
    return error(c->db, "prepare");
  return Stmt(c->db, stmt);
}

Result<> Db::transaction(const std::function<Result<>()>& fn) {
  auto* c = TRY(conn());
  // The outermost transaction of a thread owns the write lock until it
  // commits: our threads queue here instead of polling SQLite's lock.
  std::unique_lock<std::mutex> writer;
  if (c->depth == 0) writer = std::unique_lock(shared_->write_mu);
  std::string sp = "sp" + std::to_string(c->depth);
  TRY(exec(c->depth == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + sp));
  ++c->depth;
  auto result = fn();
  --c->depth;
  if (!result) {
    if (c->depth == 0)
      (void)exec("ROLLBACK");
    else
      (void)exec("ROLLBACK TO " + sp + "; RELEASE " + sp);
    return result;
  }
  auto done = exec(c->depth == 0 ? std::string("COMMIT") : "RELEASE " + sp);
  if (!done && c->depth == 0) (void)exec("ROLLBACK");
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

int64_t Db::changes() {
  auto c = conn();
  return c ? sqlite3_changes64((*c)->db) : 0;
}

}  // namespace berth::store
