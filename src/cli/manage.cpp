// update, commit, export, diff, history, import: the commands that change or
// copy what a container or an image holds.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <ctime>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "cli/command.hpp"
#include "cli/create_body.hpp"
#include "cli/format.hpp"
#include "cli/progress.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

// Streams a GET body into fd (export).
Result<> stream_to(Context& ctx, const std::string& path, int fd) {
  Result<> written = ok();
  TRY(ctx.stream("GET", path, [&](std::string_view piece) {
    while (!piece.empty()) {
      ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return written = sys_error("write archive"), false;
      piece.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }));
  return written;
}

// The UpdateConfig body: only the flags given, so the daemon keeps the rest.
Result<json::object> update_body(const Args& args) {
  json::object body;
  struct IntFlag {
    const char* flag;
    const char* field;
  };
  for (auto f : {IntFlag{"blkio-weight", "BlkioWeight"}, IntFlag{"cpu-period", "CpuPeriod"},
                 IntFlag{"cpu-quota", "CpuQuota"}, IntFlag{"cpu-rt-period", "CpuRealtimePeriod"},
                 IntFlag{"cpu-rt-runtime", "CpuRealtimeRuntime"}, IntFlag{"cpu-shares", "CpuShares"},
                 IntFlag{"pids-limit", "PidsLimit"}})
    if (args.has(f.flag)) body[f.field] = TRY(parse_int<int64_t>(args.get(f.flag)));
  for (auto f : {IntFlag{"memory", "Memory"}, IntFlag{"memory-reservation", "MemoryReservation"}})
    if (args.has(f.flag)) body[f.field] = TRY(parse_bytes(args.get(f.flag)));
  if (args.has("memory-swap"))  // -1 = unlimited swap
    body["MemorySwap"] = args.get("memory-swap") == "-1" ? -1 : TRY(parse_bytes(args.get("memory-swap")));
  if (args.has("cpus")) body["NanoCpus"] = static_cast<int64_t>(std::atof(args.get("cpus").c_str()) * 1e9);
  if (args.has("cpuset-cpus")) body["CpusetCpus"] = args.get("cpuset-cpus");
  if (args.has("cpuset-mems")) body["CpusetMems"] = args.get("cpuset-mems");
  if (args.has("restart")) body["RestartPolicy"] = TRY(restart_policy(args.get("restart")));
  if (body.empty())
    return make_error(ErrorCategory::InvalidArgument, "you must provide one or more flags when using this command");
  return body;
}

Result<int> update_cmd(Context& ctx, const Args& args) {
  auto body = TRY(update_body(args));
  std::vector<std::string> errors;
  for (const auto& name : args.positional) {
    auto res = ctx.post_json("/containers/" + name + "/update", body);
    if (!res) {
      errors.push_back(res.error().to_string());
      continue;
    }
    if (auto* w = res->is_object() ? res->get_object().if_contains("Warnings") : nullptr; w && w->is_array())
      for (const auto& line : w->get_array()) err(go_print(line) + "\n");
    out(name + "\n");
  }
  if (errors.empty()) return 0;
  return make_error(ErrorCategory::Internal, join(errors, "\n"));
}

Result<int> commit_cmd(Context& ctx, const Args& args) {
  std::string q = "/commit?container=" + query_escape(args.positional[0]);
  if (args.positional.size() > 1) {  // the daemon splits REPOSITORY[:TAG]
    std::string ref = args.positional[1];
    auto colon = ref.rfind(':');
    std::string tag;
    if (colon != std::string::npos && ref.find('/', colon) == std::string::npos) {
      tag = ref.substr(colon + 1);
      ref.resize(colon);
    }
    q += "&repo=" + query_escape(ref) + "&tag=" + query_escape(tag);
  }
  q += "&comment=" + query_escape(args.get("message")) + "&author=" + query_escape(args.get("author"));
  q += std::string("&pause=") + (args.has("pause") && !flag_true(args, "pause") ? "0" : "1");
  for (const auto& c : args.all("change")) q += "&changes=" + query_escape(c);
  auto res = TRY(ctx.post_json(q, json::object{}));
  out(str_field(res, "Id") + "\n");
  return 0;
}

Result<int> export_cmd(Context& ctx, const Args& args) {
  UniqueFd file;
  int fd = 1;
  if (args.has("output")) {
    file = UniqueFd(::open(args.get("output").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!file) return sys_error("failed to export container: open " + args.get("output"));
    fd = file.get();
  } else if (::isatty(1)) {
    return make_error(ErrorCategory::InvalidArgument,
                      "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  TRY(stream_to(ctx, "/containers/" + args.positional[0] + "/export", fd));
  return 0;
}

Result<int> diff_cmd(Context& ctx, const Args& args) {
  auto changes = TRY(ctx.get_json("/containers/" + args.positional[0] + "/changes"));
  if (!changes.is_array()) return 0;
  static const char* const kinds[] = {"C", "A", "D"};  // ChangeModify, ChangeAdd, ChangeDelete
  std::string text;
  for (const auto& c : changes.get_array()) {
    int64_t k = int_field(c, "Kind");
    text += std::string(k >= 0 && k < 3 ? kinds[k] : "?") + " " + str_field(c, "Path") + "\n";
  }
  out(text);
  return 0;
}

// RFC 3339 in UTC, as Go prints a time.Time in the UTC zone.
std::string rfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json::object history_row(const json::value& h, bool human, bool trunc) {
  std::string id = str_field(h, "Id");
  int64_t created = int_field(h, "Created"), size = int_field(h, "Size");
  std::string by = str_field(h, "CreatedBy");
  for (auto& ch : by)
    if (ch == '\t') ch = ' ';
  int64_t age = static_cast<int64_t>(std::time(nullptr)) - created;
  return json::object{
      {"ID", trunc && id != "<missing>" ? short_id(id) : id},
      {"CreatedSince", human ? human_duration(age) + " ago" : rfc3339(created)},
      {"CreatedAt", rfc3339(created)},
      {"CreatedBy", trunc ? ellipsis(by, 45) : by},
      {"Size", human ? human_size(static_cast<double>(size)) : std::to_string(size)},
      {"Comment", str_field(h, "Comment")}};
}

Result<int> history_cmd(Context& ctx, const Args& args) {
  auto list = TRY(ctx.get_json("/images/" + args.positional[0] + "/history"));
  bool human = !args.has("human") || flag_true(args, "human");
  bool trunc = !flag_true(args, "no-trunc");
  std::vector<json::value> rows;
  if (list.is_array())
    for (const auto& h : list.get_array()) rows.push_back(history_row(h, human, trunc));
  std::string format = flag_true(args, "quiet") ? "{{.ID}}" : args.get("format");
  out(TRY(render_rows(format, "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}", rows,
                      {{"ID", "IMAGE"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
                       {"CreatedBy", "CREATED BY"}, {"Size", "SIZE"}, {"Comment", "COMMENT"}})));
  return 0;
}

Result<int> import_cmd(Context& ctx, const Args& args) {
  const std::string& source = args.positional[0];
  bool url = source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
  std::string q = "/images/create?fromSrc=" + query_escape(url ? source : "-");
  q += "&repo=" + query_escape(args.positional.size() > 1 ? args.positional[1] : "");
  q += "&tag=&message=" + query_escape(args.get("message"));
  if (args.has("platform")) q += "&platform=" + query_escape(args.get("platform"));
  for (const auto& c : args.all("change")) q += "&changes=" + query_escape(c);
  UniqueFd file;
  int fd = 0;
  if (!url && source != "-") {
    file = UniqueFd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) return sys_error("open " + source);
    fd = file.get();
  }
  std::string buf(256 * 1024, '\0');
  bool done = url;  // a URL import sends no body
  auto res = TRY(ctx.upload("POST", q, [&]() -> Result<std::string> {
    if (done) return std::string();
    ssize_t n;
    do n = ::read(fd, buf.data(), buf.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error("read " + source);
    return std::string(buf.data(), static_cast<size_t>(n));
  }, {{"Content-Type", "application/x-tar"}}));
  if (res.status >= 400) return daemon_error(res);
  ProgressPrinter printer(1, ::isatty(1) == 1);
  TRY(printer.feed(res.body));
  TRY(printer.finish());
  return 0;
}

}  // namespace

std::vector<Command> manage_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"update", {"container update"}, "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Update configuration of one or more containers",
                  {value_flag(0, "blkio-weight", "uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)"),
                   value_flag(0, "cpu-period", "int", "Limit CPU CFS (Completely Fair Scheduler) period"),
                   value_flag(0, "cpu-quota", "int", "Limit CPU CFS (Completely Fair Scheduler) quota"),
                   value_flag(0, "cpu-rt-period", "int", "Limit the CPU real-time period in microseconds"),
                   value_flag(0, "cpu-rt-runtime", "int", "Limit the CPU real-time runtime in microseconds"),
                   value_flag('c', "cpu-shares", "int", "CPU shares (relative weight)"),
                   value_flag(0, "cpus", "decimal", "Number of CPUs"),
                   value_flag(0, "cpuset-cpus", "string", "CPUs in which to allow execution (0-3, 0,1)"),
                   value_flag(0, "cpuset-mems", "string", "MEMs in which to allow execution (0-3, 0,1)"),
                   value_flag('m', "memory", "bytes", "Memory limit"),
                   value_flag(0, "memory-reservation", "bytes", "Memory soft limit"),
                   value_flag(0, "memory-swap", "bytes", "Swap limit equal to memory plus swap: -1 to enable unlimited swap"),
                   value_flag(0, "pids-limit", "int", "Tune container pids limit (set -1 for unlimited)"),
                   value_flag(0, "restart", "string", "Restart policy to apply when a container exits")},
                  1, -1, false, 1, update_cmd});
  cmds.push_back({"commit", {"container commit"}, "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                  "Create a new image from a container's changes",
                  {value_flag('a', "author", "string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
                   value_flag('c', "change", "list", "Apply Dockerfile instruction to the created image"),
                   value_flag('m', "message", "string", "Commit message"),
                   bool_flag('p', "pause", "Pause container during commit (default true)")},
                  1, 2, false, 1, commit_cmd});
  cmds.push_back({"export", {"container export"}, "[OPTIONS] CONTAINER",
                  "Export a container's filesystem as a tar archive",
                  {value_flag('o', "output", "string", "Write to a file, instead of STDOUT")}, 1, 1, false, 1,
                  export_cmd});
  cmds.push_back({"diff", {"container diff"}, "CONTAINER",
                  "Inspect changes to files or directories on a container's filesystem", {}, 1, 1, false, 1,
                  diff_cmd});
  cmds.push_back({"history", {"image history"}, "[OPTIONS] IMAGE", "Show the history of an image",
                  {value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag('H', "human", "Print sizes and dates in human readable format (default true)"),
                   bool_flag(0, "no-trunc", "Don't truncate output"),
                   value_flag(0, "platform", "string", "Show history for the given platform"),
                   bool_flag('q', "quiet", "Only show image IDs")},
                  1, 1, false, 1, history_cmd});
  cmds.push_back({"import", {"image import"}, "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
                  "Import the contents from a tarball to create a filesystem image",
                  {value_flag('c', "change", "list", "Apply Dockerfile instruction to the created image"),
                   value_flag('m', "message", "string", "Set commit message for imported image"),
                   value_flag(0, "platform", "string", "Set platform if server is multi-platform capable")},
                  1, 2, false, 1, import_cmd});
  return cmds;
}

}  // namespace berth::cli
