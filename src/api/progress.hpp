// The JSON-lines progress stream of pull, push, load, import and build:
// one JSON object per line, as the docker CLI's jsonmessage decoder reads
// them. Each function returns one complete line (with "\n").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::api::progress {

// {"status":"Pulling from bb","id":"1"}; id omitted when empty.
std::string status(std::string_view status, std::string_view id = {});
// {"status":"Downloading","progressDetail":{"current":N,"total":M},
//  "progress":"[==>   ]  1.2MB/3.4MB","id":"..."}; total <= 0 = unknown.
std::string bar(std::string_view status, std::string_view id, int64_t current, int64_t total);
// {"stream":"Step 1/4 : FROM busybox\n"}
std::string stream(std::string_view text);
// {"aux":<json>} where aux_json is already serialized JSON.
std::string aux(std::string_view aux_json);
// {"errorDetail":{"message":"..."},"error":"..."}
std::string error(std::string_view message);

// The human part: "[=====>     ]  1.23MB/4.56MB" (or just the size when
// the total is unknown).
std::string render_bar(int64_t current, int64_t total);
// go-units HumanSize: 4 significant digits, decimal units (1.23MB).
std::string human_size(double bytes);

}  // namespace berth::api::progress
