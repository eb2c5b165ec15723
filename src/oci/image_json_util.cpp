#include "oci/image_json_util.hpp"

namespace berth::oci::detail {

namespace {
Unexpected wrong_type(std::string_view key, std::string_view want) {
  return make_error(ErrorCategory::InvalidArgument,
                    "field \"" + std::string(key) + "\" is not " + std::string(want));
}
}  // namespace

Result<const json::object*> as_object(const json::value& v, std::string_view what) {
  if (!v.is_object())
    return make_error(ErrorCategory::InvalidArgument, std::string(what) + " is not an object");
  return &v.get_object();
}

Result<std::string> get_string(const json::object& o, std::string_view key, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required)
      return make_error(ErrorCategory::InvalidArgument,
                        "missing field \"" + std::string(key) + "\"");
    return std::string();
  }
  if (!v->is_string()) return wrong_type(key, "a string");
  return std::string(v->get_string());
}

Result<int64_t> get_int(const json::object& o, std::string_view key, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required)
      return make_error(ErrorCategory::InvalidArgument,
                        "missing field \"" + std::string(key) + "\"");
    return 0;
  }
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return static_cast<int64_t>(v->get_uint64());
  return wrong_type(key, "an integer");
}

Result<bool> get_bool(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return wrong_type(key, "a boolean");
  return v->get_bool();
}

Result<std::optional<std::vector<std::string>>> get_string_list(const json::object& o,
                                                                std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return wrong_type(key, "an array");
  std::vector<std::string> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return wrong_type(key, "an array of strings");
    out.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::map<std::string, std::string>> get_string_map(const json::object& o,
                                                          std::string_view key) {
  std::map<std::string, std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return wrong_type(key, "an object");
  for (const auto& [k, item] : v->get_object()) {
    if (!item.is_string()) return wrong_type(key, "an object of strings");
    out.emplace(std::string(k), std::string(item.get_string()));
  }
  return out;
}

Result<std::vector<std::string>> get_key_set(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_object()) return wrong_type(key, "an object");
  for (const auto& kv : v->get_object()) out.emplace_back(kv.key());
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object to_object(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

json::object to_key_set(const std::vector<std::string>& keys) {
  json::object o;
  for (const auto& k : keys) o[k] = json::object();
  return o;
}

}  // namespace berth::oci::detail
