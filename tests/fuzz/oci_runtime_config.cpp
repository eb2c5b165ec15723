// Fuzzes the runtime-spec config parser and validator: any input must
// yield a value or an Error, never a crash; whatever parses must survive a
// serialise/parse round trip unchanged.
#include <cstdint>
#include <string_view>

#include "oci/runtime_codec.hpp"
#include "oci/runtime_validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto spec = berth::oci::parse_spec(input);
  if (!spec) return 0;
  (void)berth::oci::validate(*spec);
  std::string once = berth::oci::to_json(berth::oci::spec_to_json(*spec));
  auto again = berth::oci::parse_spec(once);
  if (!again) __builtin_trap();
  if (berth::oci::to_json(berth::oci::spec_to_json(*again)) != once) __builtin_trap();
  (void)berth::oci::to_pretty_json(berth::oci::spec_to_json(*again), "\t");
  (void)berth::oci::parse_process(input);
  (void)berth::oci::parse_resources(input);
  return 0;
}
