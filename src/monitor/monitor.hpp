// The monitor of one container: a single-threaded event loop that outlives
// berthd. It creates the container through the runtime library, holds its
// stdio (pipes, or a PTY master), appends every byte of output to the
// json-file log, relays attach sessions over its Unix socket, and when the
// init exits drains the output, records the exit (temp file + rename),
// deletes the runtime state and exits. See protocol.hpp for the contract.
#pragma once

#include <string>

namespace berth::monitor {

struct Options {
  std::string id;
  std::string dir;           // the container directory (= OCI bundle)
  std::string runtime_root;  // runtime::Context::root
  bool tty = false;          // config.json has process.terminal
  bool open_stdin = false;   // keep a stdin pipe for attach
  bool stdin_once = false;   // close it when the first stdin attach ends
  // Gets "ok <monitor pid> <init pid>\n" or "error <msg>\n", and is closed
  // once the container's exit is recorded (before the runtime cleanup).
  int ready_fd = -1;
  // Exec mode (non-empty): `dir` is the exec session's directory holding
  // process.json, `id` the container. The process starts on the first
  // "exec" command, so its first byte of output reaches that client.
  std::string exec_id;
};

// Runs the monitor to the end; returns its process exit status.
int run(const Options& options);

}  // namespace berth::monitor
