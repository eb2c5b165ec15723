// Container state as the runtime-spec defines it (hooks read it on stdin)
// and as runc prints it for `state` and `list` (three extra members).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "base/error.hpp"
#include "oci/json.hpp"

namespace berth::oci {

enum class Status { Creating, Created, Running, Paused, Stopped };

std::string_view status_name(Status status);
Result<Status> parse_status(std::string_view name);

struct State {
  std::string oci_version;
  std::string id;
  Status status = Status::Creating;
  pid_t pid = 0;
  std::string bundle;
  std::map<std::string, std::string> annotations;
  // runc's additions to `state` / `list` output.
  std::string rootfs;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;
};

// The spec's shape: what hooks receive.
json::value state_to_hook_json(const State& state);
// runc's `state` shape (pretty-print with two spaces for the CLI).
json::value state_to_runc_json(const State& state);
Result<State> state_from_json(const json::value& value);

}  // namespace berth::oci
