#include "net/nft/nft.hpp"

#include <nftables/libnftables.h>

#include "base/strings.hpp"

namespace berth::net::nft {

void Nft::Free::operator()(nft_ctx* ctx) const { nft_ctx_free(ctx); }

Result<Nft> Nft::create() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return make_error(ErrorCategory::Unavailable, "nftables: cannot create context");
  // Errors and listings are captured, never printed to the daemon's stderr.
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return Nft(ctx);
}

Result<> Nft::run(const std::string& script) {
  if (script.empty()) return ok();
  if (nft_run_cmd_from_buffer(ctx_.get(), script.c_str()) != 0) {
    std::string err(trim(nft_ctx_get_error_buffer(ctx_.get())));
    return make_error(ErrorCategory::Internal, "nftables: " + err);
  }
  return ok();
}

Result<std::string> Nft::list(const std::string& command) {
  if (nft_run_cmd_from_buffer(ctx_.get(), command.c_str()) != 0) {
    std::string err(trim(nft_ctx_get_error_buffer(ctx_.get())));
    auto category = err.find("No such file") != std::string::npos ? ErrorCategory::NotFound
                                                                   : ErrorCategory::Internal;
    return make_error(category, "nftables: " + err);
  }
  return std::string(nft_ctx_get_output_buffer(ctx_.get()));
}

}  // namespace berth::net::nft
