#include "oci/json.hpp"

namespace berth::oci {

Result<json::value> parse_json(std::string_view text) {
  json::error_code ec;
  json::parse_options options;
  options.max_depth = 64;  // nesting deeper than this is hostile, not OCI
  json::stream_parser parser({}, options);
  size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return make_error(ErrorCategory::InvalidArgument,
                      "invalid JSON at line " + std::to_string(line) + " column " +
                          std::to_string(col) + ": " + ec.message());
  }
  return parser.release();
}

std::string to_json(const json::value& value) { return json::serialize(value); }

}  // namespace berth::oci
