// SQLite metadata store: one database file per data root (berth.db).
//
// Opened in WAL mode with foreign keys on, so readers never block the
// writer and a crash leaves either the old or the new state of every
// transaction. Each component (images, snapshots, ...) owns a list of
// migrations and calls migrate() with it; versions are recorded per
// component in schema_versions, so components evolve independently.
//
// Threads: one Db is shared by the daemon's services, which call it from
// many threads. Each thread gets its own SQLite connection to the file
// (opened on first use, closed when the thread ends), so one thread's
// statements never run inside another thread's transaction. Writers are
// serialised in-process by a mutex held from BEGIN IMMEDIATE to COMMIT
// (no busy polling between our own threads); other processes on the same
// file wait through SQLite's busy timeout. A Stmt belongs to the thread
// that prepared it. ":memory:" has a single connection (an in-memory
// database is private to its connection); use it from one thread only.
//
// Never wait for another thread while inside transaction(): that thread
// may need the write lock to make progress (deadlock).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::store {

class Db;

// A prepared statement. Bind parameters are 1-based (SQLite's convention).
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, int64_t value);
  Stmt& bind_null(int index);
  // Binds every argument in order, starting at 1.
  template <typename... Args>
  Stmt& bind_all(const Args&... args) {
    int i = 0;
    (bind_one(++i, args), ...);
    return *this;
  }

  // Advances; true while a row is available.
  Result<bool> step();
  // Runs to completion (for statements without rows).
  Result<> run();

  std::string text(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  void bind_one(int i, std::string_view v) { bind(i, v); }
  void bind_one(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind_one(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind_one(int i, int64_t v) { bind(i, v); }
  void bind_one(int i, int v) { bind(i, static_cast<int64_t>(v)); }
  void bind_one(int i, std::nullopt_t) { bind_null(i); }
  void bind_one(int i, const std::optional<std::string>& v) {
    if (v) bind(i, std::string_view(*v)); else bind_null(i);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Error bind_error_{ErrorCategory::Internal, ""};
  bool bind_failed_ = false;
};

struct Migration {
  int version;      // 1, 2, 3 ... applied in order, each once
  std::string sql;  // may hold several statements
};

class Db {
 public:
  // Opens (creating if needed) the database at `path`. ":memory:" works too.
  static Result<std::shared_ptr<Db>> open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Result<> exec(std::string_view sql);
  Result<Stmt> prepare(std::string_view sql);

  // Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; rolls back if it fails.
  // Nested calls join the outer transaction (a savepoint each), so
  // composed operations stay atomic.
  Result<> transaction(const std::function<Result<>()>& fn);

  // Applies the migrations of `component` newer than its recorded version,
  // each in its own transaction together with the version bump.
  Result<> migrate(const std::string& component, const std::vector<Migration>& migrations);
  Result<int> schema_version(const std::string& component);

  // Rows changed by the last statement of this thread's connection.
  int64_t changes();
  const std::string& path() const;

  struct Shared;  // connections of every thread, the write lock

 private:
  struct Conn {
    sqlite3* db = nullptr;
    int depth = 0;  // transaction nesting on this thread
  };
  explicit Db(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  // This thread's connection, opened on first use.
  Result<Conn*> conn();
  static Unexpected error(sqlite3* db, std::string_view what);

  std::shared_ptr<Shared> shared_;
};

}  // namespace berth::store
