// Pull/push progress as dockerd reports it: one JSON object per event
// ("jsonmessage"), streamed by /images/create and /images/{name}/push and
// rendered by the docker CLI as its progress bars.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace berth::registry {

struct ProgressEvent {
  std::string id;      // short layer ID (12 hex), tag, or empty
  std::string status;  // "Downloading", "Pull complete", "Digest: ...", ...
  int64_t current = -1;  // progressDetail; -1 = none
  int64_t total = -1;
  bool detail = false;   // emit an empty progressDetail {} (layer lines)
  std::string error;     // set for the final error message
  std::string aux_json;  // raw JSON object for "aux" (push result)
};

using ProgressFn = std::function<void(const ProgressEvent&)>;

// The 12-hex short form Docker prints for a digest.
std::string short_id(const std::string& digest);

// {"status":..,"progressDetail":{..},"progress":"[==>  ] 1MB/2MB","id":..}
std::string to_json_message(const ProgressEvent& event);

// Docker's text bar for current/total ("[=====>     ]  1.05MB/2.1MB").
std::string progress_bar(int64_t current, int64_t total);

}  // namespace berth::registry
