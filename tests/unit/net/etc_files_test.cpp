#include "net/files/etc_files.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/file.hpp"

namespace berth::net {
namespace {

TEST(EtcFiles, HostsLikeDocker) {
  HostsSpec spec;
  spec.hostname = "0123456789ab";
  spec.ip = Ipv4::parse("172.18.0.2").value();
  spec.names = {"web", "www", "web"};
  spec.extra_hosts = {parse_add_host("db.local:10.1.2.3", std::nullopt).value(),
                      parse_add_host("gw=host-gateway", Ipv4::parse("172.17.0.1").value()).value()};
  EXPECT_EQ(hosts_file(spec),
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "ff00::0\tip6-mcastprefix\n"
            "ff02::1\tip6-allnodes\n"
            "ff02::2\tip6-allrouters\n"
            "10.1.2.3\tdb.local\n"
            "172.17.0.1\tgw\n"
            "172.18.0.2\t0123456789ab web www\n");
  spec.ip.reset();  // --network none: no own line
  EXPECT_EQ(hosts_file(spec).find("0123456789ab"), std::string::npos);
}

TEST(EtcFiles, AddHostValidation) {
  EXPECT_TRUE(parse_add_host("v6:::1", std::nullopt));
  EXPECT_FALSE(parse_add_host("nohost", std::nullopt));
  EXPECT_FALSE(parse_add_host(":1.2.3.4", std::nullopt));
  EXPECT_FALSE(parse_add_host("x:notanip", std::nullopt));
  EXPECT_FALSE(parse_add_host("x:host-gateway", std::nullopt));
}

TEST(EtcFiles, ResolvConfFiltersLoopbackResolvers) {
  auto host = parse_resolv_conf(
      "# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\n"
      "nameserver fe80::1\nsearch corp.example lab\noptions edns0 trust-ad\n");
  EXPECT_EQ(usable_host_nameservers(host), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(resolv_conf_file(host, {}, std::nullopt),
            "nameserver 10.0.0.2\nsearch corp.example lab\noptions edns0 trust-ad\n");
  DnsSpec dns{{"9.9.9.9"}, {"."}, {"ndots:2"}};
  EXPECT_EQ(resolv_conf_file(host, dns, std::nullopt), "nameserver 9.9.9.9\noptions ndots:2\n");
  // User networks: only the embedded server, which forwards to the rest.
  EXPECT_EQ(resolv_conf_file(host, dns, Ipv4::parse("172.18.0.1").value()),
            "nameserver 172.18.0.1\noptions ndots:2\n");
  // A host with only a local stub resolver: Docker's public fallback.
  EXPECT_EQ(resolv_conf_file(parse_resolv_conf("nameserver 127.0.0.53\n"), {}, std::nullopt),
            "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

TEST(EtcFiles, WrittenAtomicallyIntoDirectory) {
  char tmpl[] = "/tmp/berth-etc-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto fd = open_file(dir, O_RDONLY | O_DIRECTORY).value();
  ASSERT_TRUE(write_etc_files(fd.get(), "h\n", "name\n", "nameserver 1.1.1.1\n"));
  EXPECT_EQ(read_file(dir + "/hostname").value(), "name\n");
  EXPECT_EQ(read_file(dir + "/resolv.conf").value(), "nameserver 1.1.1.1\n");
  for (const char* f : {"hosts", "hostname", "resolv.conf"}) ::unlink((dir + "/" + f).c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace berth::net
