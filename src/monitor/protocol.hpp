// The contract between berthd and a container's monitor: the files in the
// container directory and the line protocol on its Unix socket.
//
// Container directory (<data-root>/containers/<id>/):
//   config.json      the OCI bundle config (written by berthd)
//   <id>-json.log    Docker's json-file log, appended by the monitor
//   monitor.sock     the monitor's socket (exists while it runs)
//   exit             "<code> <finished-at RFC 3339>\n", written atomically
//                    by the monitor once the container has exited
//
// Each socket connection starts with one command line; the monitor answers
// "ok[ <detail>]\n" or "error <message>\n":
//   start                 start the created container (runtime start)
//   kill <signal>         signal the container's init
//   resize <h> <w>        set the terminal size (TTY containers)
//   ping                  "ok <init pid>"
//   attach <in> <out> <err>   (each 0/1) after "ok", output streams to the
//                         client (8-byte stdcopy frames without a TTY, raw
//                         with one); bytes from the client go to the
//                         container's stdin. The monitor closes the
//                         connection once the container exited and its
//                         output is drained.
//
// An exec session's monitor (berth-monitor --exec) lives in
// <container dir>/exec/<exec id>/ (process.json: the OCI process, written
// by berthd; monitor.sock; exit) and answers:
//   exec <in> <out> <err>  start the process, answer "ok <pid>" and then
//                         stream as attach does; "error <msg>" (and an
//                         exit file with 126/127) when it cannot start.
//   resize <h> <w>, kill <signal>, ping   as above, for the exec process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace berth::monitor {

inline constexpr const char* kSocketName = "monitor.sock";
inline constexpr const char* kExitFile = "exit";
inline constexpr const char* kConfigFile = "config.json";
inline constexpr const char* kProcessFile = "process.json";

// The exit code dockerd gives a process that could not be started.
int exit_code_for_start_error(std::string_view message);

std::string log_file_name(std::string_view id);

struct ExitRecord {
  int code = 0;
  std::string finished_at;  // RFC 3339 with nanoseconds
};
std::string format_exit(const ExitRecord& exit);
Result<ExitRecord> parse_exit(std::string_view text);
// NotFound when the container has not exited (no exit file).
Result<ExitRecord> read_exit(int dirfd);

// Connects to the monitor socket in the container directory `dirfd`
// (through /proc/self/fd, so long data roots never hit sun_path's limit).
Result<UniqueFd> connect(int dirfd);
// Sends one command and returns the answer's detail ("ok <detail>"); an
// "error ..." answer becomes an error carrying the monitor's message.
Result<std::string> command(int fd, std::string_view line);
// connect + command, for one-shot commands.
Result<std::string> call(int dirfd, std::string_view line);

}  // namespace berth::monitor
