// `berth completion bash`: a bash completion script generated from the
// command table, so it always lists every command and flag.
#pragma once

#include <string>
#include <vector>

namespace berth::cli {

int print_completion(const std::vector<std::string>& words);

}  // namespace berth::cli
