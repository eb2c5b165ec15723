#include "net/mode.hpp"

namespace berth::net {

Result<NetnsPlan> plan_netns(const NetworkMode& mode, const NetnsLookup& lookup) {
  NetnsPlan plan;
  switch (mode.kind) {
    case NetworkMode::Kind::Bridge: plan.network = kDefaultNetworkName; return plan;
    case NetworkMode::Kind::Network: plan.network = mode.target; return plan;
    case NetworkMode::Kind::None: return plan;
    case NetworkMode::Kind::Host: plan.kind = NetnsPlan::Kind::Host; return plan;
    case NetworkMode::Kind::Container:
      plan.kind = NetnsPlan::Kind::Join;
      plan.join_path = TRY_CTX(lookup(mode.target), "network mode container:" + mode.target);
      return plan;
  }
  return make_error(ErrorCategory::Internal, "unknown network mode");
}

}  // namespace berth::net
