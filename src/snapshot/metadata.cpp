#include "snapshot/metadata.hpp"

#include <ctime>

namespace berth::snapshot {

namespace {

const char* kV1 = R"sql(
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  driver TEXT NOT NULL,
  key TEXT NOT NULL,
  parent_id INTEGER REFERENCES snapshots(id),
  kind TEXT NOT NULL CHECK (kind IN ('view', 'active', 'committed')),
  created INTEGER NOT NULL,
  UNIQUE (driver, key)
);
CREATE INDEX snapshots_parent ON snapshots(parent_id);
)sql";

Kind parse_kind(const std::string& s) {
  if (s == "view") return Kind::View;
  if (s == "committed") return Kind::Committed;
  return Kind::Active;
}

const char* kSelect =
    "SELECT s.key, COALESCE(p.key, ''), s.kind, s.created, s.id FROM snapshots s"
    " LEFT JOIN snapshots p ON p.id = s.parent_id WHERE s.driver = ? ";

Info row_info(const store::Stmt& st) {
  return Info{st.text(0), st.text(1), parse_kind(st.text(2)), st.integer(3), st.integer(4)};
}

}  // namespace

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::View: return "view";
    case Kind::Active: return "active";
    case Kind::Committed: return "committed";
  }
  return "active";
}

Result<Metadata> Metadata::open(std::shared_ptr<store::Db> db, std::string driver) {
  TRY(db->migrate("snapshot", {{1, kV1}}));
  return Metadata(std::move(db), std::move(driver));
}

Result<int64_t> Metadata::insert(const std::string& key, const std::optional<int64_t>& parent,
                                 Kind kind) {
  auto st = TRY(db_->prepare(
      "INSERT INTO snapshots(driver, key, parent_id, kind, created) VALUES(?, ?, ?, ?, ?)"));
  st.bind_all(driver_, key);
  if (parent) st.bind(3, *parent);
  else st.bind_null(3);
  st.bind(4, kind_name(kind)).bind(5, static_cast<int64_t>(::time(nullptr)));
  auto r = st.run();
  if (!r) {
    if (r.error().is(ErrorCategory::Conflict))
      return make_error(ErrorCategory::Conflict, "snapshot " + key + " already exists");
    return tl::unexpected(r.error());
  }
  auto id = TRY(db_->prepare("SELECT last_insert_rowid()"));
  TRY(id.step());
  return id.integer(0);
}

Result<Info> Metadata::query_one(const std::string& where, const std::string& arg) {
  auto st = TRY(db_->prepare(std::string(kSelect) + where));
  st.bind_all(driver_, arg);
  if (!TRY(st.step())) return make_error(ErrorCategory::NotFound, "snapshot " + arg + " does not exist");
  return row_info(st);
}

Result<Info> Metadata::get(const std::string& key) { return query_one("AND s.key = ?", key); }

Result<Info> Metadata::get_by_id(int64_t id) {
  return query_one("AND s.id = CAST(? AS INTEGER)", std::to_string(id));
}

Result<> Metadata::mark_committed(int64_t id, const std::string& name) {
  auto st = TRY(db_->prepare("UPDATE snapshots SET key = ?, kind = 'committed' WHERE id = ?"));
  st.bind_all(name, id);
  auto r = st.run();
  if (!r && r.error().is(ErrorCategory::Conflict))
    return make_error(ErrorCategory::Conflict, "snapshot " + name + " already exists");
  return r;
}

Result<> Metadata::erase(int64_t id) {
  auto st = TRY(db_->prepare("DELETE FROM snapshots WHERE id = ?"));
  st.bind_all(id);
  return st.run();
}

Result<int64_t> Metadata::child_count(int64_t id) {
  auto st = TRY(db_->prepare("SELECT COUNT(*) FROM snapshots WHERE parent_id = ?"));
  st.bind_all(id);
  TRY(st.step());
  return st.integer(0);
}

Result<std::vector<int64_t>> Metadata::parent_ids(const Info& info) {
  std::vector<int64_t> out;
  auto st = TRY(db_->prepare(
      "WITH RECURSIVE chain(id, parent_id, depth) AS ("
      " SELECT id, parent_id, 0 FROM snapshots WHERE id = ?"
      " UNION ALL SELECT s.id, s.parent_id, c.depth + 1 FROM snapshots s"
      " JOIN chain c ON s.id = c.parent_id)"
      " SELECT id FROM chain WHERE depth > 0 ORDER BY depth"));
  st.bind_all(info.id);
  while (TRY(st.step())) out.push_back(st.integer(0));
  return out;
}

Result<std::vector<Info>> Metadata::all() {
  auto st = TRY(db_->prepare(std::string(kSelect) + "ORDER BY s.id"));
  st.bind_all(driver_);
  std::vector<Info> out;
  while (TRY(st.step())) out.push_back(row_info(st));
  return out;
}

Result<std::set<int64_t>> Metadata::ids() {
  std::set<int64_t> out;
  for (const auto& i : TRY(all())) out.insert(i.id);
  return out;
}

}  // namespace berth::snapshot
