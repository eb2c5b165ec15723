// NetStore on SQLite (own tables, prefixed net_, until src/store's
// migrations take them over).
#include <fmt/format.h>

#include <boost/json.hpp>

#include "net/ipam/sqlite_db.hpp"
#include "net/store.hpp"

namespace berth::net {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS net_networks(
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL,
  subnet TEXT NOT NULL, gateway TEXT NOT NULL, ip_range TEXT,
  internal INTEGER NOT NULL, labels TEXT NOT NULL, options TEXT NOT NULL,
  created TEXT NOT NULL, bridge TEXT NOT NULL UNIQUE,
  next_ip INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS net_endpoints(
  id TEXT PRIMARY KEY,
  network_id TEXT NOT NULL REFERENCES net_networks(id),
  container_id TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT NOT NULL,
  ip INTEGER NOT NULL, mac TEXT NOT NULL, host_veth TEXT NOT NULL, ifname TEXT NOT NULL,
  dns TEXT NOT NULL DEFAULT '[]',
  UNIQUE(network_id, container_id), UNIQUE(network_id, ip));
CREATE TABLE IF NOT EXISTS net_ports(
  endpoint_id TEXT NOT NULL REFERENCES net_endpoints(id) ON DELETE CASCADE,
  proto TEXT NOT NULL, host_port INTEGER NOT NULL, host_ip TEXT NOT NULL,
  container_port INTEGER NOT NULL,
  PRIMARY KEY(proto, host_port, host_ip));
CREATE TABLE IF NOT EXISTS net_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
PRAGMA user_version = 1;
)sql";

std::string map_to_json(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return boost::json::serialize(o);
}

std::map<std::string, std::string> json_to_map(const std::string& text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, val] : v.as_object())
    if (val.is_string()) out[std::string(k)] = std::string(val.as_string());
  return out;
}

std::string list_to_json(const std::vector<std::string>& l) {
  boost::json::array a;
  for (const auto& s : l) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::vector<std::string> json_to_list(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& val : v.as_array())
    if (val.is_string()) out.emplace_back(val.as_string());
  return out;
}

class SqliteNetStore final : public NetStore {
 public:
  explicit SqliteNetStore(sql::Db db) : db_(std::move(db)) {}

  Result<> init() {
    TRY(db_.exec("PRAGMA journal_mode=WAL"));
    TRY(db_.exec("PRAGMA synchronous=NORMAL"));
    TRY(db_.exec("PRAGMA foreign_keys=ON"));
    return db_.exec(kSchema);
  }

  Result<> add_network(const Network& n) override {
    auto tx = TRY(sql::Transaction::begin(db_));
    for (const auto& other : TRY(networks()))
      if (other.subnet.overlaps(n.subnet))
        return make_error(ErrorCategory::Conflict,
                          fmt::format("Pool overlaps with other one on this address space "
                                      "(network {} has {})",
                                      other.name, other.subnet.str()));
    auto s = TRY(db_.prepare(
        "INSERT INTO net_networks(id,name,driver,subnet,gateway,ip_range,internal,labels,"
        "options,created,bridge) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    s.bind(1, n.id).bind(2, n.name).bind(3, n.driver).bind(4, n.subnet.str());
    s.bind(5, n.gateway.str());
    if (n.ip_range)
      s.bind(6, n.ip_range->str());
    else
      s.bind_null(6);
    s.bind(7, int64_t{n.internal}).bind(8, map_to_json(n.labels)).bind(9, map_to_json(n.options));
    s.bind(10, n.created).bind(11, n.bridge);
    auto r = s.run();
    if (!r && r.error().is(ErrorCategory::Conflict))
      return make_error(ErrorCategory::Conflict,
                        fmt::format("network with name {} already exists", n.name));
    TRY(r);
    return tx.commit();
  }

  Result<> remove_network(const std::string& id) override {
    auto tx = TRY(sql::Transaction::begin(db_));
    auto count = TRY(db_.prepare("SELECT count(*) FROM net_endpoints WHERE network_id=?"));
    count.bind(1, id);
    TRY(count.step());
    if (count.integer(0) > 0)
      return make_error(ErrorCategory::Conflict,
                        fmt::format("error while removing network: network {} has active "
                                    "endpoints",
                                    id));
    auto del = TRY(db_.prepare("DELETE FROM net_networks WHERE id=?"));
    TRY(del.bind(1, id).run());
    return tx.commit();
  }

  Result<std::vector<Network>> networks() override {
    auto s = TRY(db_.prepare(
        "SELECT id,name,driver,subnet,gateway,ip_range,internal,labels,options,created,bridge "
        "FROM net_networks ORDER BY created"));
    std::vector<Network> out;
    while (TRY(s.step())) {
      Network n;
      n.id = s.text(0);
      n.name = s.text(1);
      n.driver = s.text(2);
      n.subnet = TRY(Subnet::parse(s.text(3)));
      n.gateway = TRY(Ipv4::parse(s.text(4)));
      if (!s.is_null(5)) n.ip_range = TRY(Subnet::parse(s.text(5)));
      n.internal = s.integer(6) != 0;
      n.labels = json_to_map(s.text(7));
      n.options = json_to_map(s.text(8));
      n.created = s.text(9);
      n.bridge = s.text(10);
      out.push_back(std::move(n));
    }
    return out;
  }

  Result<Endpoint> add_endpoint(const Network& net, EndpointRequest req) override {
    auto tx = TRY(sql::Transaction::begin(db_));
    Endpoint ep = std::move(req.endpoint);
    ep.network_id = net.id;
    ep.ip = TRY(lease_address(net, req.want_ip));
    if (ep.mac == Mac{}) ep.mac = Mac::from_ipv4(ep.ip);
    TRY(insert_endpoint(ep));
    if (!req.ports.empty()) {
      auto taken = TRY(all_ports());
      uint16_t hint = static_cast<uint16_t>(TRY(meta("ephemeral_hint")));
      ep.ports = TRY(ipam::assign_ports(req.ports, taken, req.ephemeral, hint, req.host_in_use));
      TRY(set_meta("ephemeral_hint", hint));
      for (const auto& b : ep.ports) TRY(insert_port(ep.id, b));
    }
    TRY(tx.commit());
    return ep;
  }

  Result<> remove_endpoint(const std::string& network_id,
                           const std::string& container_id) override {
    auto s = TRY(db_.prepare("DELETE FROM net_endpoints WHERE network_id=? AND container_id=?"));
    TRY(s.bind(1, network_id).bind(2, container_id).run());
    auto changes = TRY(db_.prepare("SELECT changes()"));
    TRY(changes.step());
    if (changes.integer(0) == 0)
      return make_error(
          ErrorCategory::NotFound,
          fmt::format("container {} is not connected to network {}", container_id, network_id));
    return ok();
  }

  Result<std::vector<Endpoint>> endpoints() override {
    auto s = TRY(
        db_.prepare("SELECT id,network_id,container_id,name,aliases,ip,mac,host_veth,ifname,dns "
                    "FROM net_endpoints ORDER BY rowid"));
    std::vector<Endpoint> out;
    while (TRY(s.step())) {
      Endpoint e;
      e.id = s.text(0);
      e.network_id = s.text(1);
      e.container_id = s.text(2);
      e.name = s.text(3);
      e.aliases = json_to_list(s.text(4));
      e.ip = Ipv4{static_cast<uint32_t>(s.integer(5))};
      e.mac = TRY(Mac::parse(s.text(6)));
      e.host_veth = s.text(7);
      e.ifname = s.text(8);
      e.dns_servers = json_to_list(s.text(9));
      out.push_back(std::move(e));
    }
    auto p = TRY(db_.prepare(
        "SELECT endpoint_id,proto,host_port,host_ip,container_port FROM net_ports ORDER BY rowid"));
    while (TRY(p.step())) {
      for (auto& e : out)
        if (e.id == p.text(0)) e.ports.push_back(TRY(port_from_row(p, 1)));
    }
    return out;
  }

  Result<> update_endpoint_link(const std::string& id, const std::string& host_veth,
                                const std::string& ifname) override {
    auto s = TRY(db_.prepare("UPDATE net_endpoints SET host_veth=?, ifname=? WHERE id=?"));
    return s.bind(1, host_veth).bind(2, ifname).bind(3, id).run();
  }

  Result<> rename_container(const std::string& container_id, const std::string& name) override {
    auto s = TRY(db_.prepare("UPDATE net_endpoints SET name=? WHERE container_id=?"));
    return s.bind(1, name).bind(2, container_id).run();
  }

 private:
  Result<Ipv4> lease_address(const Network& net, std::optional<Ipv4> want) {
    std::set<uint32_t> used;
    auto s = TRY(db_.prepare("SELECT ip FROM net_endpoints WHERE network_id=?"));
    s.bind(1, net.id);
    while (TRY(s.step())) used.insert(static_cast<uint32_t>(s.integer(0)));
    auto h = TRY(db_.prepare("SELECT next_ip FROM net_networks WHERE id=?"));
    h.bind(1, net.id);
    if (!TRY(h.step()))
      return make_error(ErrorCategory::NotFound, fmt::format("network {} not found", net.name));
    Ipv4 hint{static_cast<uint32_t>(h.integer(0))};
    Ipv4 ip = TRY(ipam::pick_address(net, used, hint, want));
    if (!want) {
      auto u = TRY(db_.prepare("UPDATE net_networks SET next_ip=? WHERE id=?"));
      TRY(u.bind(1, int64_t{ip.value}).bind(2, net.id).run());
    }
    return ip;
  }

  Result<> insert_endpoint(const Endpoint& e) {
    auto s = TRY(db_.prepare(
        "INSERT INTO net_endpoints(id,network_id,container_id,name,aliases,ip,mac,host_veth,"
        "ifname,dns) VALUES(?,?,?,?,?,?,?,?,?,?)"));
    s.bind(1, e.id).bind(2, e.network_id).bind(3, e.container_id).bind(4, e.name);
    s.bind(5, list_to_json(e.aliases)).bind(6, int64_t{e.ip.value}).bind(7, e.mac.str());
    s.bind(8, e.host_veth).bind(9, e.ifname).bind(10, list_to_json(e.dns_servers));
    auto r = s.run();
    if (!r && r.error().is(ErrorCategory::Conflict))
      return make_error(ErrorCategory::Conflict,
                        fmt::format("endpoint with name {} already exists in network", e.name));
    return r;
  }

  static Result<PortBinding> port_from_row(const sql::Stmt& s, int col) {
    PortBinding b;
    b.proto = s.text(col) == "udp" ? Proto::Udp : Proto::Tcp;
    b.host_port = static_cast<uint16_t>(s.integer(col + 1));
    b.host_ip = TRY(Ipv4::parse(s.text(col + 2)));
    b.container_port = static_cast<uint16_t>(s.integer(col + 3));
    return b;
  }

  Result<std::vector<PortBinding>> all_ports() {
    auto s = TRY(db_.prepare("SELECT proto,host_port,host_ip,container_port FROM net_ports"));
    std::vector<PortBinding> out;
    while (TRY(s.step())) out.push_back(TRY(port_from_row(s, 0)));
    return out;
  }

  Result<> insert_port(const std::string& endpoint_id, const PortBinding& b) {
    auto s =
        TRY(db_.prepare("INSERT INTO net_ports(endpoint_id,proto,host_port,host_ip,container_port) "
                        "VALUES(?,?,?,?,?)"));
    s.bind(1, endpoint_id).bind(2, proto_name(b.proto)).bind(3, int64_t{b.host_port});
    s.bind(4, b.host_ip.str()).bind(5, int64_t{b.container_port});
    return s.run();
  }

  Result<int64_t> meta(const std::string& key) {
    auto s = TRY(db_.prepare("SELECT value FROM net_meta WHERE key=?"));
    s.bind(1, key);
    return TRY(s.step()) ? s.integer(0) : 0;
  }

  Result<> set_meta(const std::string& key, int64_t value) {
    auto s = TRY(db_.prepare("INSERT OR REPLACE INTO net_meta(key,value) VALUES(?,?)"));
    return s.bind(1, key).bind(2, value).run();
  }

  sql::Db db_;
};

}  // namespace

Result<std::unique_ptr<NetStore>> open_sqlite_store(const std::string& path) {
  auto db = TRY_CTX(sql::Db::open(path), "open network store");
  auto store = std::make_unique<SqliteNetStore>(std::move(db));
  TRY_CTX(store->init(), "initialise network store " + path);
  return std::unique_ptr<NetStore>(std::move(store));
}

}  // namespace berth::net
