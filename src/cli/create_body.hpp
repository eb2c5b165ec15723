// The POST /containers/create body from `run`/`create` flags: Config,
// HostConfig and NetworkingConfig as the docker CLI fills them.
#pragma once

#include <boost/json/value.hpp>
#include <vector>

#include "cli/args.hpp"

namespace berth::cli {

std::vector<Flag> create_flags();
// args.positional = IMAGE [COMMAND...]
Result<boost::json::value> build_create_body(const Args& args);

}  // namespace berth::cli
