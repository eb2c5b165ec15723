// exec --cgroup, as runc 1.1 has it: the exec'd process joins a group the
// container made below its own (a writable cgroup mount), per controller
// or for all of them. The paths are host paths that the runtime writes
// from outside the container, so a sub path is cleaned lexically and must
// stay inside the container's group.
#include "runtime/exec_cgroup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {
namespace {

// base + sub with "." and ".." resolved lexically; nullopt if it climbs
// above base. cgroupfs has no symlinks, so lexical is what the kernel does.
std::optional<std::string> join_below(const std::string& base, const std::string& sub) {
  std::vector<std::string> parts;
  for (const auto& part : split(sub, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out = base;
  for (const auto& part : parts) out += "/" + part;
  return out;
}

// Go's errno texts are strerror's in lower case; runc's users (and its
// tests) match on them.
std::string errno_text(int err) {
  std::string text = ::strerror(err);
  for (auto& c : text) c = static_cast<char>(::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_sub_cgroups(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    auto fields = split(arg, ':');
    if (fields.size() > 2) return make_error(ErrorCategory::InvalidArgument, "invalid --cgroup argument: " + arg);
    if (fields.size() == 1) {
      if (args.size() != 1)
        return make_error(ErrorCategory::InvalidArgument,
                          "invalid --cgroup argument: " + arg + " (missing <controller>: prefix)");
      out[""] = arg;
      continue;
    }
    for (const auto& controller : split(fields[0], ',')) out[controller] = fields[1];
  }
  return out;
}

Result<std::map<std::string, std::string>> sub_cgroup_paths(std::map<std::string, std::string> paths,
                                                            const std::map<std::string, std::string>& sub) {
  auto move = [](std::string& path, const std::string& add) -> Result<> {
    auto joined = join_below(path, add);
    if (!joined) return make_error(ErrorCategory::InvalidArgument, add + " is not a sub cgroup path");
    path = *joined;
    return ok();
  };
  if (auto all = sub.find(""); all != sub.end()) {
    for (auto& [controller, path] : paths) TRY(move(path, all->second));
    return paths;
  }
  for (const auto& [controller, add] : sub) {
    auto it = paths.find(controller);
    if (it == paths.end())
      return make_error(ErrorCategory::InvalidArgument, "unknown controller " + controller + " in SubCgroupPaths");
    TRY(move(it->second, add));
  }
  return paths;
}

Result<> join_cgroup_paths(const std::map<std::string, std::string>& paths, pid_t pid) {
  std::set<std::string> done;  // co-mounted controllers share a directory
  const std::string value = std::to_string(pid);
  for (const auto& [controller, dir] : paths) {
    if (!done.insert(dir).second) continue;
    std::string file = dir + "/cgroup.procs";
    auto fail = [&](const char* op) {
      int err = errno;
      return make_error(category_for_errno(err),
                        "error adding pid " + value + " to cgroups: " + op + " " + file + ": " + errno_text(err));
    };
    // O_NOFOLLOW: the directory was made by the container.
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return fail("open");
    if (::write(fd.get(), value.data(), value.size()) < 0) return fail("write");
  }
  return ok();
}

}  // namespace berth::runtime
