// Indented JSON in the layout of Go's json.MarshalIndent, which is what
// runc prints (`spec` with tabs, `state` and `list` with two spaces).
#include "oci/runtime_codec.hpp"

namespace berth::oci {
namespace {

void newline(std::string& out, std::string_view indent, int depth) {
  out += '\n';
  for (int i = 0; i < depth; ++i) out += indent;
}

void pretty(const json::value& v, std::string_view indent, int depth, std::string& out) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ',';
      first = false;
      newline(out, indent, depth + 1);
      out += json::serialize(json::string(kv.key()));
      out += ": ";
      pretty(kv.value(), indent, depth + 1, out);
    }
    newline(out, indent, depth);
    out += '}';
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t i = 0; i < a.size(); ++i) {
      if (i) out += ',';
      newline(out, indent, depth + 1);
      pretty(a[i], indent, depth + 1, out);
    }
    newline(out, indent, depth);
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

std::string to_pretty_json(const json::value& value, std::string_view indent) {
  std::string out;
  pretty(value, indent, 0, out);
  return out;
}

}  // namespace berth::oci
