// Listener addresses in dockerd's -H syntax and the sockets behind them.
//   unix:///run/berth/berth.sock   a Unix socket, mode 0660, owner root,
//                                  group `group` when that group exists
//   tcp://127.0.0.1:2375           TCP (plain; only when configured)
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {

struct ListenAddress {
  enum class Kind { Unix, Tcp } kind;
  std::string path;  // Unix
  std::string host;  // Tcp, numeric
  uint16_t port = 0;
};

Result<ListenAddress> parse_listen_address(std::string_view spec);

// A listening socket, ready for an acceptor. A stale Unix socket file
// (nobody answers on it) is replaced; a live one is a Conflict.
Result<UniqueFd> open_unix_listener(const std::string& path, const std::string& group,
                                    mode_t mode = 0660);
Result<UniqueFd> open_tcp_listener(const std::string& host, uint16_t port);

}  // namespace berth::api
