// The SQLite store: persistence across reopen, and no double allocation
// even with two handles (two daemons, or one before and one after a crash).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <thread>

#include "net/store.hpp"

namespace berth::net {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-net-store-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/berth.db";
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path_ + suffix).c_str());
    ::rmdir(dir_.c_str());
  }
  Network net(const std::string& name, const char* subnet) {
    Network n;
    n.id = random_id();
    n.name = name;
    n.subnet = Subnet::parse(subnet).value();
    n.gateway = Ipv4{n.subnet.network.value + 1};
    n.created = now_rfc3339();
    n.bridge = "br-" + n.id.substr(0, 12);
    n.labels = {{"com.example", "yes"}};
    return n;
  }
  EndpointRequest ep(const std::string& ctr) {
    EndpointRequest r;
    r.endpoint.id = random_id();
    r.endpoint.container_id = ctr;
    r.endpoint.name = ctr;
    r.endpoint.aliases = {ctr + "-alias"};
    return r;
  }
  std::string dir_, path_;
};

TEST_F(StoreTest, NetworksPersistAndConflict) {
  auto n = net("app", "10.10.0.0/24");
  {
    auto s = open_sqlite_store(path_);
    ASSERT_TRUE(s) << s.error().to_string();
    ASSERT_TRUE((*s)->add_network(n));
    auto dup = (*s)->add_network(net("app", "10.11.0.0/24"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().message(), "network with name app already exists");
    auto overlap = (*s)->add_network(net("other", "10.10.0.128/25"));
    ASSERT_FALSE(overlap);
    EXPECT_EQ(overlap.error().category(), ErrorCategory::Conflict);
  }
  auto s = open_sqlite_store(path_);
  ASSERT_TRUE(s);
  auto all = (*s)->networks().value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "app");
  EXPECT_EQ(all[0].subnet.str(), "10.10.0.0/24");
  EXPECT_EQ(all[0].labels.at("com.example"), "yes");
  EXPECT_FALSE(all[0].ip_range);
}

TEST_F(StoreTest, LeasesSurviveReopenAndAreNeverShared) {
  auto n = net("app", "10.10.0.0/24");
  std::string first_ip;
  {
    auto s = open_sqlite_store(path_).value();
    ASSERT_TRUE(s->add_network(n));
    auto e = s->add_endpoint(n, ep("c1"));
    ASSERT_TRUE(e) << e.error().to_string();
    first_ip = e->ip.str();
    EXPECT_EQ(first_ip, "10.10.0.2");
    EXPECT_EQ(e->mac.str(), "02:42:0a:0a:00:02");
    // The process "crashes" here: the handle is dropped with no cleanup.
  }
  auto s = open_sqlite_store(path_).value();
  auto e2 = s->add_endpoint(n, ep("c2"));
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->ip.str(), "10.10.0.3");
  auto dup = s->add_endpoint(n, ep("c1"));
  EXPECT_FALSE(dup);  // one endpoint per container and network
  auto want = ep("c3");
  want.want_ip = Ipv4::parse(first_ip).value();
  EXPECT_EQ(s->add_endpoint(n, std::move(want)).error().category(), ErrorCategory::Conflict);
  ASSERT_TRUE(s->remove_endpoint(n.id, "c1"));
  EXPECT_EQ(s->remove_endpoint(n.id, "c1").error().category(), ErrorCategory::NotFound);
  EXPECT_EQ(s->remove_network(n.id).error().category(), ErrorCategory::Conflict);
  ASSERT_TRUE(s->remove_endpoint(n.id, "c2"));
  EXPECT_TRUE(s->remove_network(n.id));
}

TEST_F(StoreTest, ConcurrentHandlesNeverDoubleAllocate) {
  auto n = net("app", "10.10.0.0/24");
  ASSERT_TRUE(open_sqlite_store(path_).value()->add_network(n));
  std::vector<std::string> ips[2];
  auto worker = [&](int w) {
    auto s = open_sqlite_store(path_).value();
    for (int i = 0; i < 40; ++i) {
      auto e = s->add_endpoint(n, ep("w" + std::to_string(w) + "-" + std::to_string(i)));
      if (e) ips[w].push_back(e->ip.str());
    }
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  std::set<std::string> all(ips[0].begin(), ips[0].end());
  all.insert(ips[1].begin(), ips[1].end());
  EXPECT_EQ(ips[0].size() + ips[1].size(), 80u);
  EXPECT_EQ(all.size(), 80u);
}

TEST_F(StoreTest, PortsAllocatedWithEndpointAndFreedWithIt) {
  auto n = net("app", "10.10.0.0/24");
  auto s = open_sqlite_store(path_).value();
  ASSERT_TRUE(s->add_network(n));
  auto r1 = ep("c1");
  PortRequest p;
  p.host_port_first = p.host_port_last = 8080;
  p.container_port_first = p.container_port_last = 80;
  r1.ports = {p};
  auto e1 = s->add_endpoint(n, std::move(r1));
  ASSERT_TRUE(e1);
  ASSERT_EQ(e1->ports.size(), 1u);
  auto r2 = ep("c2");
  r2.ports = {p};
  auto e2 = s->add_endpoint(n, std::move(r2));
  ASSERT_FALSE(e2);
  EXPECT_EQ(e2.error().message(), "Bind for 0.0.0.0:8080 failed: port is already allocated");
  // The failed transaction left no endpoint behind (its address is free).
  EXPECT_EQ(s->endpoints().value().size(), 1u);
  EXPECT_EQ(s->endpoints().value()[0].ports[0].host_port, 8080);
  ASSERT_TRUE(s->remove_endpoint(n.id, "c1"));
  auto r3 = ep("c3");
  r3.ports = {p};
  EXPECT_TRUE(s->add_endpoint(n, std::move(r3)));
}

}  // namespace
}  // namespace berth::net
