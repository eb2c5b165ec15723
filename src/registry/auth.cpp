#include "registry/auth.hpp"

#include <openssl/evp.h>

#include <cstdlib>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "oci/image_json_util.hpp"
#include "oci/json.hpp"

namespace berth::registry {

namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Reads a token or a quoted-string at `i`.
std::string read_value(std::string_view s, size_t& i) {
  std::string out;
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i];
    }
    if (i < s.size()) ++i;
    return out;
  }
  while (i < s.size() && s[i] != ',' && s[i] != ' ') out += s[i++];
  return out;
}

void skip_space(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
}

std::string strip_url(std::string_view key) {
  std::string_view k = key;
  if (auto p = k.find("://"); p != std::string_view::npos) k.remove_prefix(p + 3);
  if (auto p = k.find('/'); p != std::string_view::npos) k = k.substr(0, p);
  return std::string(k);
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view s) {
  std::vector<Challenge> out;
  size_t i = 0;
  while (true) {
    skip_space(s, i);
    if (i >= s.size()) break;
    size_t start = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    if (i == start) break;  // junk: stop rather than loop
    std::string word(s.substr(start, i - start));
    if (i < s.size() && s[i] == '=' && !out.empty()) {
      ++i;
      out.back().params[to_lower(word)] = read_value(s, i);
      continue;
    }
    out.push_back({to_lower(word), {}});
  }
  return out;
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string in(trim(text));
  // Accept base64url and missing padding (X-Registry-Auth uses both).
  for (auto& c : in) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (in.size() % 4) in += '=';
  std::string out(3 * in.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return make_error(ErrorCategory::InvalidArgument, "invalid base64");
  size_t pad = 0;
  for (size_t k = in.size(); k > 0 && in[k - 1] == '='; --k) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return out;
}

std::string basic_header(const Credentials& creds) {
  return "Authorization: Basic " + base64_encode(creds.username + ":" + creds.password);
}

std::string config_key(std::string_view domain) {
  if (domain == "docker.io" || domain == "index.docker.io" || domain == "registry-1.docker.io")
    return "https://index.docker.io/v1/";
  return std::string(domain);
}

Result<std::optional<Credentials>> credentials_from_config(std::string_view config_json,
                                                            std::string_view domain) {
  auto doc = TRY_CTX(oci::parse_json(config_json), "docker config");
  const auto* root = TRY(oci::detail::as_object(doc, "docker config"));
  auto it = root->find("auths");
  if (it == root->end() || !it->value().is_object()) return std::nullopt;
  std::string want = strip_url(config_key(domain));
  for (const auto& [key, value] : it->value().as_object()) {
    if (strip_url(std::string_view(key.data(), key.size())) != want || !value.is_object()) continue;
    const auto& entry = value.as_object();
    Credentials c;
    auto auth = TRY(oci::detail::get_string(entry, "auth"));
    if (!auth.empty()) {
      auto plain = TRY_CTX(base64_decode(auth), "auth of " + std::string(key));
      auto [user, pass, found] = split_once(plain, ':');
      if (!found) return make_error(ErrorCategory::InvalidArgument, "auth of " + std::string(key) + " is not user:password");
      c.username = user;
      c.password = pass;
    } else {
      c.username = TRY(oci::detail::get_string(entry, "username"));
      c.password = TRY(oci::detail::get_string(entry, "password"));
    }
    c.identity_token = TRY(oci::detail::get_string(entry, "identitytoken"));
    if (!c.empty()) return c;
  }
  return std::nullopt;
}

std::string default_config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return std::string(d) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker/config.json";
}

Result<std::string> credential_helper_for(std::string_view config_json, std::string_view domain) {
  auto doc = TRY_CTX(oci::parse_json(config_json), "docker config");
  const auto* root = TRY(oci::detail::as_object(doc, "docker config"));
  std::string want = strip_url(config_key(domain));
  if (auto it = root->find("credHelpers"); it != root->end() && it->value().is_object())
    for (const auto& [key, value] : it->value().as_object())
      if (strip_url(std::string_view(key.data(), key.size())) == want && value.is_string())
        return std::string(value.as_string());
  return oci::detail::get_string(*root, "credsStore");
}

Result<std::optional<Credentials>> load_credentials(std::string_view domain, const std::string& path) {
  auto text = read_file(path.empty() ? default_config_path() : path);
  if (!text) {
    if (text.error().is(ErrorCategory::NotFound)) return std::nullopt;
    return tl::unexpected(text.error());
  }
  auto helper = TRY(credential_helper_for(*text, domain));
  if (!helper.empty()) return TRY_CTX(helper_credentials(helper, domain), "credential helper " + helper);
  return credentials_from_config(*text, domain);
}

Result<Credentials> parse_registry_auth_header(std::string_view header) {
  auto plain = TRY_CTX(base64_decode(header), "X-Registry-Auth");
  auto doc = TRY_CTX(oci::parse_json(plain), "X-Registry-Auth");
  const auto* o = TRY(oci::detail::as_object(doc, "X-Registry-Auth"));
  Credentials c;
  c.username = TRY(oci::detail::get_string(*o, "username"));
  c.password = TRY(oci::detail::get_string(*o, "password"));
  c.identity_token = TRY(oci::detail::get_string(*o, "identitytoken"));
  return c;
}

}  // namespace berth::registry
