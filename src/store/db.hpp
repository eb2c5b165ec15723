// SQLite metadata store: one database file per data root (berth.db).
//
// Opened in WAL mode with foreign keys on, so readers never block the
// writer and a crash leaves either the old or the new state of every
// transaction. Each component (images, snapshots, ...) owns a list of
// migrations and calls migrate() with it; versions are recorded per
// component in schema_versions, so components evolve independently.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
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

  int64_t changes() const;
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Unexpected error(std::string_view what) const;

  sqlite3* db_;
  std::string path_;
  int depth_ = 0;  // transaction nesting
};

}  // namespace berth::store
