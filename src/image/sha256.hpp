// Incremental SHA-256 (OpenSSL EVP) producing "sha256:<hex>" digests.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>
#include <vector>

namespace berth::image {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept : ctx_(other.ctx_) { other.ctx_ = nullptr; }
  Sha256& operator=(Sha256&&) = delete;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // "sha256:<64 hex>"; the hasher is reset afterwards.
  std::string digest();

 private:
  EVP_MD_CTX* ctx_;
};

std::string sha256_digest(std::string_view data);

// The chain ID of a layer stack (image-spec): ChainID(L0) = DiffID(L0),
// ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)).
std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids);

}  // namespace berth::image
