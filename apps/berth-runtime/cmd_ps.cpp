// ps: like runc, runs the host's ps(1) (default "-ef") and keeps the
// lines whose PID is in the container's cgroup.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli.hpp"

namespace berth::cli {
namespace {

Result<std::string> run_ps(const std::vector<std::string>& ps_args) {
  auto pipe = TRY(make_pipe());
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    ::dup2(pipe.write.get(), 1);
    std::vector<char*> argv{const_cast<char*>("ps")};
    for (const auto& a : ps_args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  pipe.write.reset();
  auto out = read_fd(pipe.read.get());
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!out) return out;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(ErrorCategory::Internal, "ps failed: " + *out);
  return out;
}

}  // namespace

int cmd_ps(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"format", "f"}, true}}, true);
  if (!f) return fail(g, f.error());
  if (f->positional.empty()) return fail(g, "\"ps\" requires a minimum of 1 argument");
  auto pids = runtime::pids(g.ctx, f->positional[0]);
  if (!pids) return fail(g, pids.error());
  std::string format = f->get("format", "table");
  if (format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < pids->size(); ++i) out += (i ? "," : "") + std::to_string((*pids)[i]);
    std::printf("%s]\n", out.c_str());
    return 0;
  }
  if (format != "table") return fail(g, "invalid format option");
  std::vector<std::string> ps_args(f->positional.begin() + 1, f->positional.end());
  if (ps_args.empty()) ps_args = {"-ef"};
  auto out = run_ps(ps_args);
  if (!out) return fail(g, out.error());
  auto lines = split(*out, '\n');
  if (lines.empty()) return 0;
  auto header = split(lines[0], ' ');
  std::erase(header, "");
  auto col = std::find(header.begin(), header.end(), "PID");
  if (col == header.end()) return fail(g, "couldn't find PID field in ps output");
  size_t pid_index = static_cast<size_t>(col - header.begin());
  std::printf("%s\n", lines[0].c_str());
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fields = split(lines[i], ' ');
    std::erase(fields, "");
    if (fields.size() <= pid_index) continue;
    auto pid = parse_int<pid_t>(fields[pid_index]);
    if (pid && std::find(pids->begin(), pids->end(), *pid) != pids->end()) std::printf("%s\n", lines[i].c_str());
  }
  return 0;
}

}  // namespace berth::cli
