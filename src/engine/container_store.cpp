#include "engine/container_store.hpp"

#include <boost/json.hpp>

#include "engine/container_health.hpp"

namespace berth::engine {
namespace json = boost::json;
namespace {

const std::vector<store::Migration> kMigrations = {
    {1, R"sql(
CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  image TEXT NOT NULL,
  image_id TEXT NOT NULL,
  created TEXT NOT NULL,
  path TEXT NOT NULL,
  args TEXT NOT NULL,
  config TEXT NOT NULL,
  host_config TEXT NOT NULL,
  state TEXT NOT NULL,
  restart_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX containers_image ON containers(image_id);
)sql"},
};

std::string args_json(const std::vector<std::string>& args) {
  json::array a;
  for (const auto& s : args) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> args_from(std::string_view text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec && v.is_array())
    for (const auto& e : v.as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

}  // namespace

Result<> migrate_containers(store::Db& db) { return db.migrate("containers", kMigrations); }

std::string state_to_json(const ContainerState& s) {
  json::object o{{"Status", s.status},         {"Pid", s.pid},           {"MonitorPid", s.monitor_pid},
                 {"ExitCode", s.exit_code},    {"Error", s.error},       {"StartedAt", s.started_at},
                 {"FinishedAt", s.finished_at}, {"Paused", s.paused}, {"ManuallyStopped", s.manually_stopped},
                 {"Restarting", s.restarting}};
  if (s.health) o["Health"] = health_to_json(*s.health);
  return json::serialize(o);
}

Result<ContainerState> state_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error(ErrorCategory::Internal, "corrupt container state");
  const auto& o = v.as_object();
  ContainerState s;
  auto str = [&](const char* k, std::string& out) {
    if (auto* p = o.if_contains(k); p && p->is_string()) out = p->as_string();
  };
  auto num = [&](const char* k) -> int64_t {
    auto* p = o.if_contains(k);
    return p && p->is_int64() ? p->as_int64() : 0;
  };
  str("Status", s.status);
  str("Error", s.error);
  str("StartedAt", s.started_at);
  str("FinishedAt", s.finished_at);
  s.pid = num("Pid");
  s.monitor_pid = num("MonitorPid");
  s.exit_code = static_cast<int>(num("ExitCode"));
  auto flag = [&](const char* k) { auto* p = o.if_contains(k); return p && p->is_bool() && p->as_bool(); };
  s.paused = flag("Paused");
  s.manually_stopped = flag("ManuallyStopped");
  s.restarting = flag("Restarting");
  s.health = health_from_json(o.if_contains("Health"));
  return s;
}

Result<> insert_container(store::Db& db, const Container& c) {
  auto st = TRY(db.prepare(
      "INSERT INTO containers (id, name, image, image_id, created, path, args, config, host_config, state,"
      " restart_count) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  st.bind_all(c.id, c.name, c.image, c.image_id, c.created, c.path, args_json(c.args), c.config,
              c.host_config, state_to_json(c.state), c.restart_count);
  return st.run();
}

Result<> save_container_state(store::Db& db, const Container& c) {
  auto st = TRY(db.prepare("UPDATE containers SET state = ?, restart_count = ?, name = ? WHERE id = ?"));
  st.bind_all(state_to_json(c.state), c.restart_count, c.name, c.id);
  return st.run();
}

Result<> save_container_host_config(store::Db& db, const Container& c) {
  auto st = TRY(db.prepare("UPDATE containers SET host_config = ? WHERE id = ?"));
  st.bind_all(c.host_config, c.id);
  return st.run();
}

Result<> delete_container(store::Db& db, const std::string& id) {
  auto st = TRY(db.prepare("DELETE FROM containers WHERE id = ?"));
  st.bind_all(id);
  return st.run();
}

Result<std::vector<Container>> load_containers(store::Db& db) {
  auto st = TRY(db.prepare(
      "SELECT id, name, image, image_id, created, path, args, config, host_config, state, restart_count"
      " FROM containers"));
  std::vector<Container> out;
  while (TRY(st.step())) {
    Container c;
    c.id = st.text(0);
    c.name = st.text(1);
    c.image = st.text(2);
    c.image_id = st.text(3);
    c.created = st.text(4);
    c.path = st.text(5);
    c.args = args_from(st.text(6));
    c.config = st.text(7);
    c.host_config = st.text(8);
    c.state = TRY(state_from_json(st.text(9)));
    c.restart_count = st.integer(10);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace berth::engine
