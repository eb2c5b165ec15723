#include "oci/runtime_state.hpp"

#include <array>

namespace berth::oci {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"creating", "created", "running",
                                                           "paused", "stopped"};

json::object annotations_json(const std::map<std::string, std::string>& annotations) {
  json::object o;
  for (const auto& [k, v] : annotations) o[k] = v;
  return o;
}

std::string get_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string_view status_name(Status status) { return kStatusNames[static_cast<size_t>(status)]; }

Result<Status> parse_status(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i)
    if (kStatusNames[i] == name) return static_cast<Status>(i);
  return make_error(ErrorCategory::InvalidArgument, "unknown status \"" + std::string(name) + "\"");
}

json::value state_to_hook_json(const State& s) {
  json::object o;
  o["ociVersion"] = s.oci_version;
  o["id"] = s.id;
  o["status"] = status_name(s.status);
  if (s.pid > 0) o["pid"] = s.pid;
  o["bundle"] = s.bundle;
  if (!s.annotations.empty()) o["annotations"] = annotations_json(s.annotations);
  return o;
}

json::value state_to_runc_json(const State& s) {
  json::object o;
  o["ociVersion"] = s.oci_version;
  o["id"] = s.id;
  o["pid"] = s.pid;
  o["status"] = status_name(s.status);
  o["bundle"] = s.bundle;
  o["rootfs"] = s.rootfs;
  o["created"] = s.created;
  o["owner"] = s.owner;
  if (!s.annotations.empty()) o["annotations"] = annotations_json(s.annotations);
  return o;
}

Result<State> state_from_json(const json::value& value) {
  if (!value.is_object()) return make_error(ErrorCategory::InvalidArgument, "state: expected an object");
  const auto& o = value.get_object();
  State s;
  s.oci_version = get_string(o, "ociVersion");
  s.id = get_string(o, "id");
  s.status = TRY(parse_status(get_string(o, "status")));
  if (const auto* pid = o.if_contains("pid"); pid && pid->is_int64())
    s.pid = static_cast<pid_t>(pid->get_int64());
  s.bundle = get_string(o, "bundle");
  s.rootfs = get_string(o, "rootfs");
  s.created = get_string(o, "created");
  s.owner = get_string(o, "owner");
  if (const auto* a = o.if_contains("annotations"); a && a->is_object())
    for (const auto& kv : a->get_object())
      if (kv.value().is_string()) s.annotations[std::string(kv.key())] = std::string(kv.value().get_string());
  return s;
}

}  // namespace berth::oci
