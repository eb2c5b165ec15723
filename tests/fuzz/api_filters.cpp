// Fuzzes the `filters` JSON parser (map and list forms) and the event
// filter that consumes it. Whatever parses must round-trip through the
// map form unchanged.
#include <cstdint>
#include <string_view>

#include "api/filters_json.hpp"
#include "engine/events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto filters = berth::api::parse_filters(input);
  if (!filters) return 0;
  auto again = berth::api::parse_filters(berth::api::filters_to_json(*filters));
  if (!again || again->terms() != filters->terms()) __builtin_trap();
  berth::engine::Event event{"container", "exec_start: sh", "abcdef",
                             {{"name", "web"}, {"image", "reg:5000/bb:1"}, {"a", "b"}}, "local", 1};
  (void)berth::engine::validate_event_filters(*filters);
  (void)berth::engine::event_matches(*filters, event);
  return 0;
}
