// The POST /containers/create body from `run`/`create` flags: Config,
// HostConfig and NetworkingConfig as the docker CLI fills them.
#pragma once

#include <boost/json/value.hpp>
#include <vector>

#include "cli/args.hpp"

namespace berth::cli {

std::vector<Flag> create_flags();
// docker's RAMInBytes: "64m", "1.5g", "512" (bytes).
Result<int64_t> parse_bytes(const std::string& v);
// --restart no|always|unless-stopped|on-failure[:N] as a RestartPolicy object.
Result<boost::json::object> restart_policy(const std::string& spec);
// "invalid argument \"v\" for \"--flag\" flag: why": printed with the usage
// text and exit 125, as docker does for a bad flag value.
Error flag_value_error(const std::string& flag, const std::string& value, const std::string& why);
// Go's time.ParseDuration, in nanoseconds ("1m30s", "500ms").
Result<int64_t> parse_go_duration(const std::string& text);
// --mount, --ulimit, --health-*, --no-healthcheck (create_options.cpp).
std::vector<Flag> create_extra_flags();
Result<> add_extra_options(const Args& args, boost::json::object& config, boost::json::object& host);
// --env-file lines then -e values ("-e NAME" takes this process's value).
boost::json::array env_list(const Args& args);
// args.positional = IMAGE [COMMAND...]
Result<boost::json::value> build_create_body(const Args& args);

}  // namespace berth::cli
