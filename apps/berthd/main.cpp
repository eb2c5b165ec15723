// berthd: parses the command line and config, then runs the daemon.
#include <cstdio>
#include <cstdlib>

#include "base/log.hpp"
#include "base/version.hpp"
#include "daemon.hpp"
#include "flags.hpp"

int main(int argc, char** argv) {
  using namespace berth;
  int exit_code = 0;
  auto cl = berthd::parse_command_line(argc, argv, exit_code);
  if (!cl) return exit_code;
  if (cl->show_version) {
    std::printf("berthd version %s, build %s\n", BERTH_VERSION, berth::git_commit());
    return 0;
  }
  const char* home = std::getenv("HOME");
  auto config = engine::load_daemon_config(cl->flags, cl->config_file, home ? home : "",
                                           engine::process_env());
  if (!config) {
    std::fprintf(stderr, "berthd: %s\n", config.error().to_string().c_str());
    return 1;
  }
  if (cl->validate_only) {
    std::printf("configuration OK (%s)\n",
                config->sources.empty() ? "defaults" : config->sources.front().c_str());
    return 0;
  }
  auto result = berthd::run_daemon(*config, *cl);
  if (!result) {
    log::error("berthd failed", {{"error", result.error()}});
    return 1;
  }
  return 0;
}
