// A small private world for manager tests, all in namespaces the test
// creates: "host" (where the manager works, as berthd would in the real
// host namespace), "internet" (a peer beyond the host's uplink, with a web
// server that echoes the client address and a DNS server), and container
// namespaces. No packet leaves these namespaces.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "net/dns/server.hpp"
#include "net/manager.hpp"
#include "netns_fixture.hpp"

namespace berth::net::testing {

// A process started in the background inside a namespace; killed on drop.
class Background {
 public:
  Background(const TestNetns& ns, const std::string& cmd) {
    auto out = sh_in(ns, cmd + " >/dev/null 2>&1 & echo $!");
    pid_ = std::atoi(out.c_str());
    ::usleep(150 * 1000);  // let it bind
  }
  ~Background() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

inline void must(const Result<>& r) {
  if (!r) ADD_FAILURE() << r.error().to_string();
}

inline std::string make_temp_dir() {
  char tmpl[] = "/tmp/berth-net-it-XXXXXX";
  return ::mkdtemp(tmpl);
}

struct World {
  TestNetns host{"host"};
  TestNetns internet{"inet"};
  std::string dir = make_temp_dir();
  std::unique_ptr<dns::Server> internet_dns;
  std::vector<std::unique_ptr<Background>> procs;

  static constexpr const char* kUplinkHost = "198.51.100.1";
  static constexpr const char* kUplinkPeer = "198.51.100.2";

  bool ok() const { return host.ok() && internet.ok(); }

  // Uplink veth between host and internet, default route of the host via
  // the internet, lo up in both, a CGI web server on the internet side
  // that prints REMOTE_ADDR, and a DNS server there knowing one name.
  void build() {
    int rc = 0;
    sh_in(host,
          "ip link set lo up && ip link add uplink type veth peer name downlink && "
          "ip link set downlink netns " +
              internet.path() +
              " && "
              "ip addr add 198.51.100.1/24 dev uplink && ip link set uplink up && "
              "ip route add default via 198.51.100.2",
          &rc);
    sh_in(internet,
          "ip link set lo up && ip addr add 198.51.100.2/24 dev downlink && "
          "ip link set downlink up",
          &rc);
    (void)make_dirs(dir + "/www/cgi-bin");
    must(write_file_atomic(dir + "/www/cgi-bin/ip",
                           "#!/bin/busybox sh\necho Content-Type: text/plain\n"
                           "echo\necho \"$REMOTE_ADDR\"\n",
                           0755));
    must(write_file_atomic(dir + "/www/index.html", "hello from the internet\n"));
    procs.push_back(
        std::make_unique<Background>(internet, "busybox httpd -f -p 9000 -h " + dir + "/www"));
    internet_dns = run_in_netns(internet.fd(), [] { return dns::Server::start({}); }).value();
    dns::NetworkConfig c{"inet", Ipv4::parse(kUplinkPeer).value(), 53,
                         Subnet::parse("0.0.0.0/0").value(), false};
    (void)internet_dns->add_network(c);
    (void)internet_dns->set_entries(
        "inet", {{"", {"example.test"}, Ipv4::parse("198.51.100.2").value(), {}}});
    must(write_file_atomic(dir + "/resolv.conf",
                           "nameserver 127.0.0.53\nnameserver 198.51.100.2\nsearch corp.test\n"));
  }

  ManagerOptions options() const {
    ManagerOptions o;
    o.db_path = dir + "/berth.db";
    o.host_netns_path = host.path();
    o.host_resolv_conf = dir + "/resolv.conf";
    return o;
  }

  Background& start(const TestNetns& ns, const std::string& cmd) {
    procs.push_back(std::make_unique<Background>(ns, cmd));
    return *procs.back();
  }

  // A container-side web root with one file naming the container.
  std::string web_root(const std::string& name) {
    auto root = dir + "/www-" + name;
    must(make_dirs(root));
    must(write_file_atomic(root + "/index.html", "hello from " + name + "\n"));
    return root;
  }

  ~World() {
    procs.clear();
    internet_dns.reset();
    sh_in(host, "true");  // nothing: namespaces vanish with their files
    std::string cmd = "rm -rf " + dir;
    (void)!::system(cmd.c_str());
  }
};

// wget from inside a namespace; returns the body (empty on failure).
inline std::string fetch(const TestNetns& ns, const std::string& url) {
  return sh_in(ns, "curl -s -m 3 " + url + " 2>/dev/null");
}

inline bool pings(const TestNetns& ns, const std::string& ip) {
  int rc = -1;
  sh_in(ns, "busybox ping -c1 -W1 " + ip, &rc);
  return rc == 0;
}

}  // namespace berth::net::testing
