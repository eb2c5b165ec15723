// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf, as
// Docker writes them. The engine keeps them in the container's directory
// and bind-mounts them over the image's files, so they are produced as
// text here and written atomically into a directory fd.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "net/ipv4.hpp"

namespace berth::net {

// --add-host "name:ip" (or "name=ip"); "host-gateway" as the address means
// the default bridge's gateway, which the caller passes in.
struct ExtraHost {
  std::string name;
  std::string address;
};
Result<ExtraHost> parse_add_host(std::string_view spec, std::optional<Ipv4> host_gateway);

struct HostsSpec {
  std::string hostname;
  std::string domainname;
  std::optional<Ipv4> ip;             // none for --network none/host
  std::vector<std::string> names;     // container name, aliases
  std::vector<ExtraHost> extra_hosts;
};
std::string hosts_file(const HostsSpec& spec);

std::string hostname_file(const std::string& hostname);

struct DnsSpec {
  std::vector<std::string> servers;   // --dns
  std::vector<std::string> search;    // --dns-search
  std::vector<std::string> options;   // --dns-option
};

// The parsed content of a resolv.conf.
struct ResolvConf {
  std::vector<std::string> nameservers;
  std::vector<std::string> search;
  std::vector<std::string> options;
};
ResolvConf parse_resolv_conf(std::string_view text);

// The host's resolvers as a container can use them: 127.0.0.0/8 and ::1
// servers point at the host's own loopback, which the container's
// loopback is not, so they are dropped (as Docker does); IPv6 servers are
// dropped too while berth networks are IPv4-only.
std::vector<std::string> usable_host_nameservers(const ResolvConf& host);

// resolv.conf for a container. With `embedded_dns` (user networks) the
// only nameserver is berth's DNS server, which forwards what it does not
// know to the upstreams (the --dns servers, else the host's); otherwise
// --dns or the host's usable servers. --dns-search / --dns-option replace
// the host's search and options.
std::string resolv_conf_file(const ResolvConf& host, const DnsSpec& dns,
                             std::optional<Ipv4> embedded_dns);

// Writes the three files into `dirfd` (atomic replace each).
Result<> write_etc_files(int dirfd, const std::string& hosts, const std::string& hostname,
                         const std::string& resolv);

}  // namespace berth::net
