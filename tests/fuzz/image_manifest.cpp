// Fuzzes the image-spec parsers (manifest, index, config, references)
// and the --change parser: no crash, no out-of-bounds read, and whatever
// parses must survive a serialise/parse round trip.
#include <cstdint>
#include <string>
#include <string_view>

#include "image/config_change.hpp"
#include "oci/image_config.hpp"
#include "oci/image_manifest.hpp"
#include "oci/image_reference.hpp"

using namespace berth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)oci::detect_kind(input);
  if (auto m = oci::parse_manifest(input)) {
    auto again = oci::parse_manifest(oci::to_json(*m));
    if (!again || again->layers.size() != m->layers.size()) __builtin_trap();
  }
  if (auto idx = oci::parse_index(input)) {
    auto again = oci::parse_index(oci::to_json(*idx));
    if (!again || again->manifests.size() != idx->manifests.size()) __builtin_trap();
    (void)oci::select_platform(*idx, oci::host_platform());
  }
  if (auto c = oci::parse_image_config(input)) {
    auto again = oci::parse_image_config(oci::to_json(*c));
    if (!again || again->diff_ids != c->diff_ids) __builtin_trap();
  }
  if (auto ref = oci::parse_reference(input)) {
    // The familiar form round-trips (the normalised one can pass Docker's
    // 255-character name limit, which applies to the name as written).
    auto again = oci::parse_reference(ref->familiar());
    if (!again || again->full() != ref->full()) __builtin_trap();
  }
  oci::ContainerConfig cc;
  (void)image::apply_change(cc, input);
  return 0;
}
