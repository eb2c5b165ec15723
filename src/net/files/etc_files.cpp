#include "net/files/etc_files.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::net {

Result<ExtraHost> parse_add_host(std::string_view spec, std::optional<Ipv4> host_gateway) {
  // Docker splits at the first ':' or '='; IPv6 addresses contain ':' but
  // never before the name.
  auto sep = spec.find_first_of(":=");
  if (sep == std::string_view::npos || sep == 0 || sep + 1 == spec.size())
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("bad format for add-host: \"{}\"", spec));
  ExtraHost h{std::string(spec.substr(0, sep)), std::string(spec.substr(sep + 1))};
  if (h.address == "host-gateway") {
    if (!host_gateway)
      return make_error(ErrorCategory::InvalidArgument, "host-gateway: no default bridge gateway");
    h.address = host_gateway->str();
  } else if (!Ipv4::parse(h.address) && h.address.find(':') == std::string::npos) {
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("invalid IP address in add-host: \"{}\"", h.address));
  }
  if (h.name.find_first_of(" \t\n#") != std::string::npos)
    return make_error(ErrorCategory::InvalidArgument,
                      fmt::format("invalid host name in add-host: \"{}\"", h.name));
  return h;
}

std::string hosts_file(const HostsSpec& spec) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const auto& h : spec.extra_hosts) out += fmt::format("{}\t{}\n", h.address, h.name);
  if (spec.ip) {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
      if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end())
        names.push_back(n);
    };
    if (!spec.domainname.empty()) add(spec.hostname + "." + spec.domainname);
    add(spec.hostname);
    for (const auto& n : spec.names) add(n);
    out += fmt::format("{}\t{}\n", spec.ip->str(), join(names, " "));
  }
  return out;
}

std::string hostname_file(const std::string& hostname) { return hostname + "\n"; }

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf rc;
  for (const auto& raw : split(text, '\n')) {
    auto line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    std::vector<std::string> words;
    for (const auto& w : split(line, ' '))
      for (const auto& t : split(w, '\t'))
        if (!t.empty()) words.push_back(t);
    if (words.size() < 2) continue;
    auto rest = std::vector<std::string>(words.begin() + 1, words.end());
    if (words[0] == "nameserver") rc.nameservers.push_back(words[1]);
    else if (words[0] == "search" || words[0] == "domain") rc.search = rest;
    else if (words[0] == "options") rc.options.insert(rc.options.end(), rest.begin(), rest.end());
  }
  return rc;
}

std::vector<std::string> usable_host_nameservers(const ResolvConf& host) {
  std::vector<std::string> out;
  for (const auto& ns : host.nameservers) {
    auto ip = Ipv4::parse(ns);
    if (ip && !ip->is_loopback()) out.push_back(ns);
  }
  return out;
}

std::string resolv_conf_file(const ResolvConf& host, const DnsSpec& dns,
                             std::optional<Ipv4> embedded_dns) {
  std::vector<std::string> servers;
  if (embedded_dns) servers = {embedded_dns->str()};
  else if (!dns.servers.empty()) servers = dns.servers;
  else servers = usable_host_nameservers(host);
  if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};  // Docker's fallback
  const auto& search = dns.search.empty() ? host.search : dns.search;
  auto options = dns.options.empty() ? host.options : dns.options;
  std::string out;
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  // "." alone means "no search domains" in Docker's CLI.
  if (!search.empty() && !(search.size() == 1 && search[0] == "."))
    out += "search " + join(search, " ") + "\n";
  if (!options.empty()) out += "options " + join(options, " ") + "\n";
  return out;
}

Result<> write_etc_files(int dirfd, const std::string& hosts, const std::string& hostname,
                         const std::string& resolv) {
  TRY(write_file_atomic_at(dirfd, "hosts", hosts, 0644));
  TRY(write_file_atomic_at(dirfd, "hostname", hostname, 0644));
  TRY(write_file_atomic_at(dirfd, "resolv.conf", resolv, 0644));
  return ok();
}

}  // namespace berth::net
