// search: GET /images/search on the daemon (which asks the index named in
// the term, else Docker Hub), printed as docker 28 prints it.
#include <boost/json.hpp>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

const std::map<std::string, std::string> kSearchHeaders = {
    {"Name", "NAME"}, {"Description", "DESCRIPTION"}, {"StarCount", "STARS"}, {"IsOfficial", "OFFICIAL"}};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

Result<int> search_cmd(Context& ctx, const Args& args) {
  // Go's url.Values order: filters, limit, term.
  std::string q = "/images/search?";
  if (!args.all("filter").empty()) q += "filters=" + filters_query(args.all("filter")) + "&";
  if (args.has("limit")) {
    auto limit = parse_int<int>(args.get("limit"));
    if (!limit)
      return make_error(ErrorCategory::InvalidArgument, "invalid argument \"" + args.get("limit") +
                                                            "\" for \"--limit\" flag: strconv.ParseInt: parsing \"" +
                                                            args.get("limit") + "\": invalid syntax");
    if (*limit > 0) q += "limit=" + std::to_string(*limit) + "&";
  }
  q += "term=" + query_escape(args.positional[0]);
  auto found = TRY(ctx.get_json(q));
  std::string format = args.get("format");
  // docker prints IsOfficial as "[OK]"/"" but as "true"/"false" inside JSON.
  bool json_mode = format == "json" || format.find("json .") != std::string::npos;
  bool trunc = !flag_true(args, "no-trunc");
  std::vector<json::value> rows;
  if (found.is_array())
    for (const auto& r : found.as_array()) {
      std::string desc = one_line(str_field(r, "description"));
      bool official = r.is_object() && r.as_object().contains("is_official") && r.at("is_official").is_bool() &&
                      r.at("is_official").as_bool();
      rows.push_back(json::object{{"Description", trunc ? ellipsis(desc, 45) : desc},
                                  {"IsOfficial", json_mode ? (official ? "true" : "false") : (official ? "[OK]" : "")},
                                  {"Name", str_field(r, "name")},
                                  {"StarCount", std::to_string(int_field(r, "star_count"))}});
    }
  out(TRY(render_rows(format, "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}", rows,
                      kSearchHeaders)));
  return 0;
}

}  // namespace

std::vector<Command> search_commands() {
  return {{"search", {}, "[OPTIONS] TERM", "Search Docker Hub for images",
           {value_flag('f', "filter", "filter", "Filter output based on conditions provided"),
            value_flag(0, "format", "string", "Pretty-print search using a Go template"),
            value_flag(0, "limit", "int", "Max number of search results"),
            bool_flag(0, "no-trunc", "Don't truncate output")},
           1, 1, false, 1, search_cmd}};
}

}  // namespace berth::cli
