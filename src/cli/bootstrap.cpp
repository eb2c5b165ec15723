// `berth image bootstrap busybox|debian`: asks the daemon to build a base
// image on its machine (POST /berth/images/bootstrap) and shows its
// progress. The daemon does the work because it owns the image store and
// runs as root (debootstrap needs both); the CLI only names what to make.
#include "cli/command.hpp"
#include "cli/progress.hpp"

namespace berth::cli {

namespace {

Result<int> bootstrap_cmd(Context& ctx, const Args& args) {
  const std::string& kind = args.positional.at(0);
  if (kind != "busybox" && kind != "debian")
    return make_error(ErrorCategory::InvalidArgument, "unknown base image \"" + kind + "\" (busybox or debian)");
  std::string path = "/berth/images/bootstrap?kind=" + query_escape(kind);
  for (const char* key : {"tag", "suite", "mirror"})
    if (!args.get(key).empty()) path += std::string("&") + key + "=" + query_escape(args.get(key));
  TRY(stream_progress(ctx, path, 1));
  return 0;
}

}  // namespace

std::vector<Command> bootstrap_commands() {
  return {{"image bootstrap", {}, "[OPTIONS] busybox|debian",
           "Create a base image on the daemon's machine, without a registry",
           {value_flag('t', "tag", "string", "Name and tag (default busybox:latest, debian:SUITE)"),
            value_flag(0, "suite", "string", "Debian suite for debootstrap (default bookworm)"),
            value_flag(0, "mirror", "string", "Debian mirror URL (default http://deb.debian.org/debian)")},
           1, 1, false, 1, bootstrap_cmd}};
}

}  // namespace berth::cli
