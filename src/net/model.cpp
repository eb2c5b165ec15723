#include "net/model.hpp"

#include <sys/random.h>
#include <time.h>

#include <fmt/format.h>

namespace berth::net {

std::string_view proto_name(Proto p) { return p == Proto::Tcp ? "tcp" : "udp"; }

std::string PortBinding::port_key() const {
  return fmt::format("{}/{}", container_port, proto_name(proto));
}

Result<NetworkMode> NetworkMode::parse(std::string_view text) {
  NetworkMode m;
  if (text.empty() || text == "default" || text == "bridge") return m;
  if (text == "none") {
    m.kind = Kind::None;
  } else if (text == "host") {
    m.kind = Kind::Host;
  } else if (text.starts_with("container:")) {
    m.kind = Kind::Container;
    m.target = std::string(text.substr(10));
    if (m.target.empty())
      return make_error(ErrorCategory::InvalidArgument, "network mode container: needs a container");
  } else {
    m.kind = Kind::Network;
    m.target = std::string(text);
  }
  return m;
}

std::string NetworkMode::str() const {
  switch (kind) {
    case Kind::Bridge: return "bridge";
    case Kind::None: return "none";
    case Kind::Host: return "host";
    case Kind::Container: return "container:" + target;
    case Kind::Network: return target;
  }
  return "bridge";
}

std::string random_id() {
  uint8_t bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string out;
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

std::string now_rfc3339() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  ::gmtime_r(&ts.tv_sec, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ts.tv_nsec);
}

}  // namespace berth::net
