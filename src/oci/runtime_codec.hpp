// JSON <-> runtime-spec types. Parsing is strict about the types of the
// members it knows ("process.user.uid must be an unsigned integer") and
// ignores members it does not, as the spec requires. Serialisation writes
// the keys in the order of the spec's Go types (the order `runc spec`
// prints) and leaves out empty optional members.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "oci/json.hpp"
#include "oci/runtime_spec.hpp"

namespace berth::oci {

Result<Spec> parse_spec(std::string_view text);
Result<Spec> spec_from_json(const json::value& value);
json::value spec_to_json(const Spec& spec);

// `exec --process process.json` and `update -r resources.json`.
Result<Process> parse_process(std::string_view text);
json::value process_to_json(const Process& process);
Result<Resources> parse_resources(std::string_view text);
json::value resources_to_json(const Resources& resources);

// Indented JSON with a trailing-newline-free layout like Go's
// json.MarshalIndent (runc prints specs with tabs, state with two spaces).
std::string to_pretty_json(const json::value& value, std::string_view indent);

}  // namespace berth::oci
