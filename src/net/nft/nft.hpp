// libnftables: runs nft scripts in one transaction each. The context's
// netlink socket belongs to the namespace of the thread that makes it, so
// the caller creates it where the rules should live.
#pragma once

#include <memory>
#include <string>

#include "base/error.hpp"

struct nft_ctx;

namespace berth::net::nft {

class Nft {
 public:
  static Result<Nft> create();
  // Applies a script atomically: every command in it, or none.
  Result<> run(const std::string& script);
  // Runs a listing command (e.g. "list table ip berth-nat") and returns
  // its text output.
  Result<std::string> list(const std::string& command);

 private:
  struct Free {
    void operator()(nft_ctx* ctx) const;
  };
  explicit Nft(nft_ctx* ctx) : ctx_(ctx) {}
  std::unique_ptr<nft_ctx, Free> ctx_;
};

}  // namespace berth::net::nft
