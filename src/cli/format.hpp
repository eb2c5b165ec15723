// Output the way the docker CLI prints it: Go text/tabwriter tables,
// go-units human durations and sizes, the Go-template subset people use
// with --format ({{.Field.Sub}}, {{json .}}, {{json .X}}, `table ...`),
// and json.Indent-style re-indentation for inspect.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace berth::cli {

// Go's tabwriter: cells separated by '\t', each column padded to
// max(width + padding, minwidth); the last cell of a line is not padded.
std::string tabwrite(const std::string& text, size_t minwidth, size_t padding);

// go-units: "Less than a second", "About a minute", "3 days", ...
std::string human_duration(int64_t seconds);
// Decimal sizes with 3 significant digits: "1.98MB", "0B".
std::string human_size(double bytes, int precision = 3);
// Binary sizes with 4 significant digits: "23.54GiB".
std::string bytes_size(double bytes);
// Unix seconds as Go's time.Time.String() in UTC: "2026-11-27 10:33:02 +0000 UTC".
std::string go_time_string(int64_t unix_seconds);
// RFC 3339 timestamp to Unix seconds (0 when unparseable).
int64_t parse_rfc3339(const std::string& text);

// Go's json.Marshal of a generic value, <>& escaped: object keys sorted,
// or with sort_keys=false in the daemon's order where the keys look like Go
// struct fields (the docker CLI decoded a typed struct; maps stay sorted).
std::string go_json(const boost::json::value& v, bool sort_keys = true);
// Go's fmt %v of a generic value (maps as map[k:v], arrays as [a b]).
std::string go_print(const boost::json::value& v);
// json.Indent(raw, "", "    ") preserving the original string escapes.
std::string indent_json(const std::string& raw);
// strconv.Quote for printable text.
std::string go_quote(const std::string& s);
// Truncates to `width` characters with a trailing "…".
std::string ellipsis(const std::string& s, size_t width);
// Number of UTF-8 code points.
size_t display_width(const std::string& s);

// A parsed --format template.
class Template {
 public:
  static Result<Template> parse(const std::string& text);
  bool is_table() const { return table_; }
  // {{json}} keeps the daemon's key order (inspect: docker prints its typed
  // structs in field order, which is the order dockerd sends).
  void keep_key_order() { sort_keys_ = false; }
  // Renders one row (a line per call; a trailing newline is added).
  Result<std::string> render(const boost::json::value& row) const;
  // The header row for `table`, from each field's header name.
  std::string header(const std::map<std::string, std::string>& names) const;

 private:
  struct Piece {
    bool literal = true;
    std::string text;               // literal text
    std::vector<std::string> path;  // .A.B
    std::string func;               // "", "json", "upper", "lower", "index"
    std::string arg;                // index key
  };
  std::vector<Piece> pieces_;
  bool table_ = false;
  bool sort_keys_ = true;
};

// Prints rows through `format` (default_format when empty); "table" rows
// get a header and tabwriter alignment (minwidth 10, padding 3).
Result<std::string> render_rows(const std::string& format, const std::string& default_format,
                                const std::vector<boost::json::value>& rows,
                                const std::map<std::string, std::string>& headers);

}  // namespace berth::cli
