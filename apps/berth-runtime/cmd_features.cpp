#include <cstdio>

#include "cli.hpp"

namespace berth::cli {

int cmd_features(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {});
  if (!f) return fail(g, f.error());
  std::printf("%s\n", runtime::features_json().c_str());
  return 0;
}

}  // namespace berth::cli
