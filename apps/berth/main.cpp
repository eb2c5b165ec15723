// berth: docker's command line over the Docker Engine API (src/cli).
#include <csignal>

#include "cli/command.hpp"

int main(int argc, char** argv) {
  // A daemon that closes a hijacked stream must not kill us mid-write.
  std::signal(SIGPIPE, SIG_IGN);
  return berth::cli::main_entry(argc, argv);
}
