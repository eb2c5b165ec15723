#include <sys/stat.h>

#include <cstdio>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli.hpp"
#include "oci/runtime_codec.hpp"

namespace berth::cli {
namespace {

// The host's /etc/passwd is read directly rather than through getpwuid:
// the binary is linked statically, where glibc's NSS would need the
// shared libraries at run time. runc (Go's os/user without cgo) does the
// same.
std::string user_name(uid_t uid) {
  auto passwd = read_file("/etc/passwd", 1 << 20);
  if (passwd)
    for (const auto& line : split(*passwd, '\n')) {
      auto fields = split(line, ':');
      if (fields.size() >= 3 && fields[2] == std::to_string(uid)) return fields[0];
    }
  return "#" + std::to_string(uid);
}

std::string owner_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return user_name(st.st_uid);
}

}  // namespace

int cmd_list(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"format", "f"}, true}, {{"quiet", "q"}, false}});
  if (!f) return fail(g, f.error());
  auto states = runtime::list(g.ctx);
  if (!states) return fail(g, states.error());
  for (auto& s : *states) s.owner = owner_of(g.ctx.root + "/" + s.id);
  if (f->has("quiet")) {
    for (const auto& s : *states) std::printf("%s\n", s.id.c_str());
    return 0;
  }
  std::string format = f->get("format", "table");
  if (format == "json") {
    oci::json::array a;
    for (const auto& s : *states) a.push_back(oci::state_to_runc_json(s));
    std::printf("%s\n", oci::to_json(states->empty() ? oci::json::value(nullptr) : oci::json::value(a)).c_str());
    return 0;
  }
  if (format != "table") return fail(g, "invalid format option");
  // Go's tabwriter with runc's settings (min width 12, padding 3): each
  // column is as wide as its widest cell.
  std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const auto& s : *states)
    rows.push_back({s.id, std::to_string(s.pid), std::string(oci::status_name(s.status)), s.bundle, s.created, s.owner});
  std::vector<size_t> width(6, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < 6; ++i) width[i] = std::max(width[i], std::max<size_t>(12, r[i].size() + 3));
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < 6; ++i) line += i == 5 ? r[i] : r[i] + std::string(width[i] - r[i].size(), ' ');
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace berth::cli
