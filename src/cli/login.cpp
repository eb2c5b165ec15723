// login/logout and the credentials they keep in the docker config file.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"

namespace berth::cli {
namespace json = boost::json;

std::string base64_encode(std::string_view in, bool url) {
  const char* table = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(n >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
          : c >= '0' && c <= '9' ? c - '0' + 52 : (c == '+' || c == '-') ? 62 : (c == '/' || c == '_') ? 63 : -1;
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return std::string(d) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.docker/config.json";
}

std::string registry_of(const std::string& image) {
  auto slash = image.find('/');
  if (slash == std::string::npos) return kDefaultRegistry;
  std::string first = image.substr(0, slash);
  if (first.find('.') == std::string::npos && first.find(':') == std::string::npos && first != "localhost")
    return kDefaultRegistry;
  return first;
}

namespace {

json::object read_config() {
  std::ifstream f(config_path());
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(ss.str(), ec);
  return !ec && v.is_object() ? v.get_object() : json::object();
}

Result<> write_config(const json::object& config) {
  std::string path = config_path();
  std::string dir = path.substr(0, path.rfind('/'));
  ::mkdir(dir.c_str(), 0700);
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return sys_error("write " + tmp);
    f << json::serialize(config) << "\n";
  }
  ::chmod(tmp.c_str(), 0600);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error("rename " + tmp);
  return ok();
}

}  // namespace

std::string credentials_for(const std::string& server) {
  auto config = read_config();
  auto* auths = config.if_contains("auths");
  if (!auths || !auths->is_object()) return "";
  auto* entry = auths->get_object().if_contains(server);
  if (!entry) return "";
  // Named: split_once returns views into it (a temporary would dangle).
  std::string decoded = base64_decode(str_field(*entry, "auth"));
  auto [user, pass, found] = split_once(decoded, ':');
  if (!found) return "";
  json::object body{{"username", user}, {"password", pass}, {"serveraddress", server}};
  return base64_encode(json::serialize(body), true);
}

namespace {

Result<int> login_cmd(Context& ctx, const Args& args) {
  std::string server = args.positional.empty() ? kDefaultRegistry : args.positional[0];
  std::string user = args.get("username"), pass = args.get("password");
  if (flag_true(args, "password-stdin")) {
    std::getline(std::cin, pass);
  } else if (user.empty() || pass.empty()) {
    if (user.empty()) {
      err("Username: ");
      std::getline(std::cin, user);
    }
    if (pass.empty()) {
      err("Password: ");
      std::getline(std::cin, pass);
    }
  }
  if (!pass.empty() && pass.back() == '\r') pass.pop_back();
  json::object body{{"username", user}, {"password", pass}, {"serveraddress", server}};
  auto res = TRY(ctx.post_json("/auth", body));
  auto config = read_config();
  auto& auths = config["auths"];
  if (!auths.is_object()) auths.emplace_object();
  auths.get_object()[server] = json::object{{"auth", base64_encode(user + ":" + pass)}};
  TRY(write_config(config));
  std::string status = str_field(res, "Status");
  out((status.empty() ? "Login Succeeded" : status) + "\n");
  return 0;
}

Result<int> logout_cmd(Context&, const Args& args) {
  std::string server = args.positional.empty() ? kDefaultRegistry : args.positional[0];
  auto config = read_config();
  auto* auths = config.if_contains("auths");
  if (!auths || !auths->is_object() || !auths->get_object().erase(server)) {
    out("Not logged in to " + server + "\n");
    return 0;
  }
  out("Removing login credentials for " + server + "\n");
  TRY(write_config(config));
  return 0;
}

}  // namespace

std::vector<Command> registry_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"login", {}, "[OPTIONS] [SERVER]", "Authenticate to a registry",
                  {value_flag('u', "username", "string", "Username"),
                   value_flag('p', "password", "string", "Password"),
                   bool_flag(0, "password-stdin", "Take the password from stdin")},
                  0, 1, false, 1, login_cmd});
  cmds.push_back({"logout", {}, "[SERVER]", "Log out from a registry", {}, 0, 1, false, 1, logout_cmd});
  return cmds;
}

}  // namespace berth::cli
