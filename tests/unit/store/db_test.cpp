#include "store/db.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/temp_dir.hpp"

namespace berth::store {
namespace {

std::shared_ptr<Db> open_db(const std::string& path) {
  auto db = Db::open(path);
  EXPECT_TRUE(db) << (db ? "" : db.error().to_string());
  return *db;
}

int64_t count(Db& db, const std::string& table) {
  auto st = db.prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(st);
  EXPECT_TRUE(*st->step());
  return st->integer(0);
}

TEST(Db, OpensInWalModeWithForeignKeys) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  ASSERT_TRUE(db->exec("CREATE TABLE p(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c(pid INTEGER REFERENCES p(id))"));
  auto bad = db->exec("INSERT INTO c(pid) VALUES(42)");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(ErrorCategory::Conflict));
}

TEST(Db, MigrationsRunOncePerComponentInOrder) {
  test::TempDir dir;
  std::vector<Migration> v1 = {{1, "CREATE TABLE a(x INTEGER)"}};
  std::vector<Migration> v2 = {{1, "CREATE TABLE a(x INTEGER)"},
                               {2, "ALTER TABLE a ADD COLUMN y TEXT"}};
  {
    auto db = open_db(dir / "berth.db");
    ASSERT_TRUE(db->migrate("images", v1));
    ASSERT_TRUE(db->migrate("images", v1));  // idempotent
    EXPECT_EQ(*db->schema_version("images"), 1);
    EXPECT_EQ(*db->schema_version("snapshots"), 0);
  }
  auto db = open_db(dir / "berth.db");  // a later binary with one more step
  ASSERT_TRUE(db->migrate("images", v2));
  EXPECT_EQ(*db->schema_version("images"), 2);
  EXPECT_TRUE(db->exec("INSERT INTO a(x, y) VALUES(1, 'z')"));
}

TEST(Db, FailedMigrationLeavesOldVersionAndSchema) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  ASSERT_TRUE(db->migrate("c", {{1, "CREATE TABLE t(x INTEGER)"}}));
  auto r = db->migrate("c", {{1, ""}, {2, "CREATE TABLE u(x); CREATE TABLE t(y)"}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("migrate c to version 2"), std::string::npos);
  EXPECT_EQ(*db->schema_version("c"), 1);
  EXPECT_FALSE(db->exec("SELECT * FROM u"));  // the half-applied step was rolled back
}

TEST(Db, TransactionRollsBackOnError) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)"));
  auto r = db->transaction([&]() -> Result<> {
    TRY(db->exec("INSERT INTO t VALUES(1)"));
    return make_error(ErrorCategory::Internal, "boom");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(count(*db, "t"), 0);
  ASSERT_TRUE(db->transaction([&]() -> Result<> { return db->exec("INSERT INTO t VALUES(1)"); }));
  EXPECT_EQ(count(*db, "t"), 1);
}

TEST(Db, NestedTransactionFailureRollsBackOnlyItsSavepoint) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)"));
  ASSERT_TRUE(db->transaction([&]() -> Result<> {
    TRY(db->exec("INSERT INTO t VALUES(1)"));
    auto inner = db->transaction([&]() -> Result<> {
      TRY(db->exec("INSERT INTO t VALUES(2)"));
      return make_error(ErrorCategory::Conflict, "inner fails");
    });
    EXPECT_FALSE(inner);
    return ok();
  }));
  EXPECT_EQ(count(*db, "t"), 1);
}

TEST(Db, CommittedDataSurvivesReopenAndBindsRoundTrip) {
  test::TempDir dir;
  {
    auto db = open_db(dir / "berth.db");
    ASSERT_TRUE(db->exec("CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER, n TEXT)"));
    auto st = db->prepare("INSERT INTO kv VALUES(?, ?, ?)");
    ASSERT_TRUE(st);
    st->bind_all(std::string("key\0with nul", 12), int64_t{1} << 40, std::nullopt);
    ASSERT_TRUE(st->run());
  }
  auto db = open_db(dir / "berth.db");
  auto st = db->prepare("SELECT k, v, n FROM kv");
  ASSERT_TRUE(st && *st->step());
  EXPECT_EQ(st->text(0), std::string("key\0with nul", 12));
  EXPECT_EQ(st->integer(1), int64_t{1} << 40);
  EXPECT_TRUE(st->is_null(2));
}

// The daemon's image and container services share one Db from different
// threads. Each thread runs its own transactions: no statement of one
// lands in the other's transaction, a rolled-back transaction takes none
// of the other's rows with it, and every committed row is there.
TEST(Db, ConcurrentTransactionsFromTwoServicesStayApart) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  ASSERT_TRUE(db->exec("CREATE TABLE images(n INTEGER); CREATE TABLE containers(n INTEGER)"));
  constexpr int kRounds = 150;
  std::atomic<int> failures{0};
  auto service = [&](const std::string& table) {
    for (int i = 0; i < kRounds; ++i) {
      bool roll_back = i % 3 == 0;
      auto r = db->transaction([&]() -> Result<> {
        TRY(db->exec("INSERT INTO " + table + " VALUES(" + std::to_string(i) + ")"));
        // Inside the transaction this thread sees its own row once.
        auto st = TRY(db->prepare("SELECT COUNT(*) FROM " + table + " WHERE n = ?"));
        st.bind_all(int64_t{i});
        if (!TRY(st.step()) || st.integer(0) != 1) ++failures;
        std::this_thread::yield();
        if (roll_back) return make_error(ErrorCategory::Conflict, "roll back");
        return ok();
      });
      if (static_cast<bool>(r) == roll_back) ++failures;
    }
  };
  std::thread images(service, "images");
  std::thread containers(service, "containers");
  images.join();
  containers.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(*db, "images"), kRounds - (kRounds + 2) / 3);
  EXPECT_EQ(count(*db, "containers"), kRounds - (kRounds + 2) / 3);
}

// A reader on another thread never sees a transaction's uncommitted rows
// (with one shared connection it did: same connection, same transaction).
TEST(Db, OtherThreadsDoNotSeeUncommittedRows) {
  test::TempDir dir;
  auto db = open_db(dir / "berth.db");
  ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)"));
  std::mutex mu;
  std::condition_variable cv;
  int stage = 0;
  int64_t seen_during = -1;
  std::thread writer([&] {
    auto r = db->transaction([&]() -> Result<> {
      TRY(db->exec("INSERT INTO t VALUES(1)"));
      std::unique_lock lock(mu);
      stage = 1;
      cv.notify_all();
      cv.wait(lock, [&] { return stage == 2; });
      return ok();
    });
    EXPECT_TRUE(r);
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return stage == 1; });
    seen_during = count(*db, "t");
    stage = 2;
    cv.notify_all();
  }
  writer.join();
  EXPECT_EQ(seen_during, 0);
  EXPECT_EQ(count(*db, "t"), 1);
}

}  // namespace
}  // namespace berth::store
